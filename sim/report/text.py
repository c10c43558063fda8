"""The report's words in German and English, and numbers written the way each language writes them."""

import math

from sim.kpi.registry import label_of

LANGUAGES = ("de", "en")
MINUS = "\u2212"
NO_BREAK_SPACE = "\u00a0"

PHRASES = {
    "title": {
        "de": "Bericht: {label} im Vergleich zu {baseline}",
        "en": "Report: {label} compared with {baseline}",
    },
    "generic_question": {
        "de": "Was ändert sich {with_label} gegenüber {baseline}?",
        "en": "What changes {with_label} compared with {baseline}?",
    },
    "source_folder": {"de": "Ergebnisordner: {folder}", "en": "Results folder: {folder}"},
    "question": {"de": "Frage", "en": "Question"},
    "answer": {"de": "Antwort", "en": "Answer"},
    "answer_prefix": {"de": "{label} gegenüber {baseline}: ", "en": "{label} against {baseline}: "},
    "rises": {"de": "steigt um", "en": "rises by"},
    "falls": {"de": "sinkt um", "en": "falls by"},
    "finding": {
        "de": "{kpi} {verb} {amount} (95-%-KI {low} bis {high})",
        "en": "{kpi} {verb} {amount} (95 % CI {low} to {high})",
    },
    "added_site_use": {
        "de": "Der neue Standort {site} hält im Auswertungszeitraum {sessions} Beratungstage ab,"
        " mit {kept} wahrgenommenen Terminen je Tag"
        " (95-%-KI {kept_low} bis {kept_high}) und einer Teilnahmequote von {attendance}"
        " (95-%-KI {attendance_low} bis {attendance_high}).",
        "en": "The new site {site} holds {sessions} consultation days in the measured period,"
        " with {kept} kept appointments per day"
        " (95 % CI {kept_low} to {kept_high}) and an attendance of {attendance}"
        " (95 % CI {attendance_low} to {attendance_high}).",
    },
    "added_site_residents": {
        "de": "Für die Klienten aus {municipality}: Wegezeit zum Termin {travel_before} → {travel_after} Minuten,"
        " Teilnahmequote {attendance_before} → {attendance_after}.",
        "en": "For clients living in {municipality}: travel time to the appointment {travel_before} →"
        " {travel_after} minutes, attendance {attendance_before} → {attendance_after}.",
    },
    "not_distinguishable": {
        "de": "Nicht von null unterscheidbar: ",
        "en": "Not distinguishable from zero: ",
    },
    "not_distinguishable_finding": {
        "de": "{kpi} ({difference}, 95-%-KI {low} bis {high})",
        "en": "{kpi} ({difference}, 95 % CI {low} to {high})",
    },
    "no_interval_finding": {
        "de": "{kpi} ({difference}; zu wenige Replikationen für ein Intervall, n = {n})",
        "en": "{kpi} ({difference}; too few replications for an interval, n = {n})",
    },
    "no_change_finding": {"de": "{kpi}", "en": "{kpi}"},
    "no_change": {"de": "Keine Änderung: ", "en": "No change: "},
    "no_answer_kpis": {
        "de": "Die Ergebnisse enthalten keine der Leitkennzahlen; siehe Tabelle.",
        "en": "The results hold none of the lead KPIs; see the table.",
    },
    "kpi_table": {"de": "Kennzahlen je Szenario", "en": "KPIs per scenario"},
    "kpi": {"de": "Kennzahl", "en": "KPI"},
    "difference_to": {"de": "Unterschied {label} − {baseline}", "en": "Difference {label} − {baseline}"},
    "table_note": {
        "de": "Mittelwert über die Replikationen, darunter das 95-%-Konfidenzintervall und n "
        "(Zahl der Replikationen). Unterschiede sind gepaart je Replikation (gleiche "
        "Zufallszahlen); * und fett: von null unterscheidbar (gepaarter t-Test, Holm-Korrektur über alle "
        "Kennzahlen, 5 %).",
        "en": "Mean over the replications, below it the 95 % confidence interval and n (number "
        "of replications). Differences are paired by replication (common random numbers); "
        "* and bold: distinguishable from zero (paired t-test, Holm correction over all KPIs, 5 %).",
    },
    "figures": {"de": "Abbildungen", "en": "Figures"},
    "figure": {"de": "Abbildung", "en": "Figure"},
    "assumptions": {"de": "Annahmen", "en": "Assumptions"},
    "assumption_key": {"de": "Parameter", "en": "Parameter"},
    "source": {"de": "Quelle", "en": "Source"},
    "assumption": {"de": "Annahme", "en": "assumption"},
    "assumptions_note": {
        "de": "Die Parameter, die das Ergebnis bestimmen, mit Quelle oder als Annahme "
        "gekennzeichnet; fett: Werte, die sich zwischen den Szenarien unterscheiden.",
        "en": "The parameters that drive the result, with their source or marked as an "
        "assumption; bold: values that differ between the scenarios.",
    },
    "method": {"de": "Methode", "en": "Method"},
    "method_runs": {
        "de": "Jedes Szenario wurde {replications}-mal simuliert (Startwert {seed}). Eine "
        "Replikation umfasst {horizon} Tage; die ersten {warmup} Tage sind Einschwingzeit und "
        "werden nicht gezählt, gemessen werden also {measured} Tage.",
        "en": "Each scenario was simulated {replications} times (seed {seed}). A replication "
        "covers {horizon} days; the first {warmup} days are warm-up and are not counted, so "
        "{measured} days are measured.",
    },
    "method_auto": {
        "de": "Die Zahl der Replikationen wurde bestimmt (replications=auto, CI-Methode mit "
        "Vorausschau nach Hoad, Robinson & Davies 2010): {chosen} Replikationen, die ersten, ab "
        "denen das 95-%-Intervall jeder Kennzahl der Antwort in jedem Szenario höchstens "
        "{precision} ihres Mittelwerts breit ist (halbe Breite), das ihres Unterschieds zur Basis "
        "höchstens {precision} des Mittelwerts der Basis, und das über {ahead} weitere "
        "Replikationen bleibt; am knappsten: {limiting}.",
        "en": "The number of replications was chosen (replications=auto, CI method with look-ahead "
        "after Hoad, Robinson & Davies 2010): {chosen} replications, the first from which every "
        "answer KPI's 95 % interval in every scenario is within {precision} of its mean (half-width), "
        "that of its difference to the baseline within {precision} of the baseline's mean, and "
        "stays so over {ahead} more replications; the tightest: {limiting}.",
    },
    "method_auto_not_reached": {
        "de": "Die Zahl der Replikationen sollte bestimmt werden (replications=auto), die "
        "Genauigkeit von {precision} wurde aber mit höchstens {chosen} Replikationen "
        "(runner.max_replications) nicht erreicht; am weitesten davon: {limiting}.",
        "en": "The number of replications was to be chosen (replications=auto), but the precision "
        "of {precision} was not reached within {chosen} replications (runner.max_replications); "
        "furthest from it: {limiting}.",
    },
    "method_crn": {
        "de": "Alle Szenarien laufen mit denselben Zufallszahlen (common random numbers, CRN): "
        "Replikation i sieht in jedem Szenario dieselben Klienten und dieselben Zufallsziehungen. "
        "Unterschiede werden deshalb paarweise je Replikation gebildet (Szenario − {baseline}); "
        "das macht sie genauer als der Vergleich zweier unabhängiger Mittelwerte.",
        "en": "All scenarios run on the same random numbers (common random numbers, CRN): "
        "replication i sees the same clients and the same random draws in every scenario. "
        "Differences are therefore paired by replication (scenario − {baseline}), which makes "
        "them more precise than comparing two independent means.",
    },
    "method_ci": {
        "de": "Konfidenzintervalle: 95-%-t-Intervall über die Replikationen, Mittelwert ± "
        "t(0,975; n − 1) · s / √n, mit s der Standardabweichung der n Replikationswerte "
        "(bei Unterschieden: der paarweisen Differenzen). Ob ein Unterschied von null "
        "unterscheidbar ist, entscheidet ein gepaarter t-Test je Kennzahl mit Holm-Korrektur über "
        "alle Kennzahlen des Vergleichs (Fehler erster Art insgesamt höchstens 5 %); ein einzelnes "
        "Intervall kann daher null ausschließen, ohne dass der Unterschied als unterscheidbar gilt. "
        "Intervalle von Anteilen sind auf 0 bis 100 %, die aller anderen Kennzahlen auf Werte ab 0 "
        "begrenzt; unter 3 Replikationen wird kein Intervall angegeben.",
        "en": "Confidence intervals: 95 % t-interval over the replications, mean ± "
        "t(0.975; n − 1) · s / √n, where s is the standard deviation of the n replication "
        "values (for differences: of the paired differences). Whether a difference is "
        "distinguishable from zero is decided by a paired t-test per KPI with Holm's correction "
        "over all KPIs of the comparison (family-wise error at most 5 %); a single interval may "
        "therefore exclude zero without the difference counting as distinguishable. "
        "Intervals of shares are cut to 0 to 100 %, those of every other KPI to values of at least "
        "0; with fewer than 3 replications no interval is given.",
    },
    "provenance": {"de": "Herkunft", "en": "Provenance"},
    "caption_comparison": {
        "de": "Leitkennzahlen je Szenario (Punkt: Mittelwert, Linie: 95-%-KI) und gepaarter "
        "Unterschied zu {baseline}; gefüllter Punkt: das Intervall schließt die Nulllinie aus, "
        "der Unterschied ist von null unterscheidbar; leerer Punkt: nicht unterscheidbar.",
        "en": "Lead KPIs per scenario (point: mean, line: 95 % CI) and the paired difference "
        "against {baseline}; filled point: the interval excludes the zero line, the difference "
        "is distinguishable from zero; hollow point: not distinguishable.",
    },
    "caption_map": {
        "de": "Gemeinden: Kreisgröße nach Zahl der Klienten, Farbe nach {kpi} (gleiche Skala in "
        "allen Karten); Standorte nach Art, hinzugekommene Standorte umrandet.",
        "en": "Municipalities: circle size by number of clients, colour by {kpi} (same scale in "
        "every map); sites by kind, sites a scenario adds are ringed.",
    },
    "caption_waiting": {
        "de": "Tage vom Fälligkeitsdatum bis zum Termin: Anteil der Termine mit höchstens x "
        "Tagen, je Szenario (alle Replikationen); Marke auf der x-Achse und Linie bis zur "
        "Kurve: Mittelwert.",
        "en": "Days from due date to appointment: share of appointments within x days, per "
        "scenario (all replications); mark on the x-axis and line up to the curve: mean.",
    },
    "caption_counsellor_time": {
        "de": "Arbeitszeit der Beratungskräfte je Dienststelle im Messzeitraum: Beratung im "
        "Gespräch, Fallarbeit und Verwaltung (Notizen, Schreibtischzeit außerhalb der "
        "Sprechzeiten), Fahrt, Besprechungen, krank und freie Sprechzeit (Nichterscheinen, "
        "freie Termine), je Szenario.",
        "en": "Counsellor working time per office over the measured period: counselling face to "
        "face, case work and administration (notes, desk time outside consultation hours), "
        "travel, meetings, off sick and idle consultation time (no-shows, free slots), per scenario.",
    },
    "caption_site_use": {
        "de": "Nutzung je Standort und Szenario (Balken: Mittelwert, Linie: 95-%-KI); fast leer "
        "heißt höchstens {nearly_empty_max} wahrgenommene Kontakte; fett und mit ! markiert: "
        "mehr als die Hälfte der Sprechtage fast leer.",
        "en": "Use per site and scenario (bar: mean, line: 95 % CI); nearly empty means at most "
        "{nearly_empty_max} kept contacts; bold and marked !: more than half of the sessions "
        "nearly empty.",
    },
    "interval": {"de": "{low} bis {high}", "en": "{low} to {high}"},
    "mean": {"de": "Mittel", "en": "mean"},
    "share_within": {"de": "Anteil der Termine (%)", "en": "share of appointments (%)"},
    "days_to_appointment": {
        "de": "Tage vom Fälligkeitsdatum bis zum Termin",
        "en": "days from due date to appointment",
    },
    "differences": {"de": "Unterschied zu {baseline}", "en": "difference against {baseline}"},
    "added_site": {"de": "hinzugekommener Standort", "en": "site the scenario adds"},
    "clients_legend": {"de": "{count} Klienten", "en": "{count} clients"},
    "nearly_empty_line": {
        "de": "fast leer: höchstens {nearly_empty_max} Kontakte",
        "en": "nearly empty: at most {nearly_empty_max} contacts",
    },
    "half_line": {"de": "Hälfte der Sprechtage", "en": "half of the sessions"},
}

UNIT_LABELS = {
    "share": {"de": "%", "en": "%"},
    "days": {"de": "Tage", "en": "days"},
    "minutes": {"de": "Minuten", "en": "minutes"},
    "hours": {"de": "Stunden", "en": "hours"},
    "km": {"de": "km", "en": "km"},
    "euro": {"de": "€", "en": "€"},
    "count": {"de": "Anzahl", "en": "number"},
}
DIFFERENCE_UNIT_LABELS = {"share": {"de": "Prozentpunkte", "en": "percentage points"}}
AMOUNT_UNITS = {
    "share": {"de": "Prozentpunkte", "en": "points"},
    "days": {"de": "Tage", "en": "days"},
    "minutes": {"de": "Minuten", "en": "minutes"},
    "hours": {"de": "Stunden", "en": "hours"},
    "km": {"de": "km", "en": "km"},
    "euro": {"de": "€", "en": "€"},
    "count": {"de": "", "en": ""},
}
SITE_KINDS = {
    "office": {"de": "Dienststelle", "en": "office"},
    "room": {"de": "Gemeinderaum", "en": "municipal room"},
    "vehicle_stop": {"de": "Halt des Beratungsmobils", "en": "vehicle stop"},
}


def phrase(key: str, lang: str, **fields: object) -> str:
    """Return the phrase `key` in `lang` with `fields` filled in."""
    return PHRASES[key][lang].format(**fields)


def kpi_label(kpi: str, lang: str) -> str:
    """Return the reader's name of a KPI, from the KPI registry; an unknown KPI keeps its key, with spaces."""
    return label_of(kpi, lang)


def site_kind_label(kind: str, lang: str) -> str:
    """Return the reader's name of a site kind (office, room, vehicle_stop)."""
    return SITE_KINDS.get(kind, {}).get(lang, kind)


def capitalise(text: str) -> str:
    """Return the text with its first letter in upper case and the rest unchanged."""
    return text[:1].upper() + text[1:]


def with_label(label: str, lang: str) -> str:
    """'mit Ruhla' for a label 'Ruhla', and for a label that already says 'mit Ruhla' (no 'mit mit')."""
    word = {"de": "mit", "en": "with"}[lang]
    return label if label.lower().startswith(f"{word} ") else f"{word} {label}"


def unit_label(unit: str, lang: str, difference: bool = False) -> str:
    """Return the axis label of a unit; a difference of shares is in percentage points."""
    if difference and unit in DIFFERENCE_UNIT_LABELS:
        return DIFFERENCE_UNIT_LABELS[unit][lang]
    return UNIT_LABELS[unit][lang]


def decimals_for(*values: float) -> int:
    """Return how many decimals numbers of the size of the largest of `values` deserve."""
    finite = [abs(value) for value in values if math.isfinite(value)]
    largest = max(finite, default=0.0)
    if largest >= 100:
        return 0
    if largest >= 1:
        return 1
    return 2


def format_number(value: float, lang: str, decimals: int, signed: bool = False) -> str:
    """Format a number for `lang`: decimal comma and dot thousands in German, a true minus sign."""
    if not math.isfinite(value):
        return "–"
    text = f"{abs(value):,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    if value < 0 and text.strip("0.,") != "":
        return MINUS + text
    return "+" + text if signed and value > 0 else text


def format_value(value: float, unit: str, lang: str, decimals: int | None = None, difference: bool = False) -> str:
    """Format a KPI value for a table cell: shares in %, differences signed and in points."""
    shown = value * 100 if unit == "share" else value
    if decimals is None:
        decimals = 1 if unit == "share" else decimals_for(shown)
    number = format_number(shown, lang, decimals, signed=difference)
    if unit != "share" or not math.isfinite(value):
        return number
    if difference:
        return number + NO_BREAK_SPACE + ("Pp." if lang == "de" else "pp")
    return number + (NO_BREAK_SPACE + "%" if lang == "de" else "%")


def format_amount(value: float, unit: str, lang: str, decimals: int, signed: bool = False) -> str:
    """Format an amount with its unit word for a sentence, e.g. '2,1 Prozentpunkte'."""
    number = format_number(value, lang, decimals, signed=signed)
    unit_word = AMOUNT_UNITS[unit][lang]
    return f"{number}{NO_BREAK_SPACE}{unit_word}" if unit_word else number
