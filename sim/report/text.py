"""The report's words in German and English, and numbers written the way each language writes them
(through Babel's locale data: decimal comma and dot thousands in German)."""

import math
from decimal import Decimal

from babel.lists import format_list
from babel.numbers import format_decimal

from sim.kpi.registry import label_of

LANGUAGES = ("de", "en")
LOCALES = {"de": "de_DE", "en": "en_GB"}
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
        "de": "{kpi}: {verb} {amount} (95-%-KI {low} bis {high})",
        "en": "{kpi}: {verb} {amount} (95 % CI {low} to {high})",
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
    "added_site_use_no_interval": {
        "de": "Der neue Standort {site} hält im Auswertungszeitraum {sessions} Beratungstage ab, mit {kept}"
        " wahrgenommenen Terminen je Tag und einer Teilnahmequote von {attendance} (zu wenige Replikationen"
        " für ein Intervall, n = {n}).",
        "en": "The new site {site} holds {sessions} consultation days in the measured period, with {kept} kept"
        " appointments per day and an attendance of {attendance} (too few replications for an interval, n = {n}).",
    },
    "no_change_cell": {"de": "keine Änderung", "en": "no change"},
    "added_sites_summary": {
        "de": "Die {count} neuen Standorte halten im Auswertungszeitraum zusammen {sessions} Beratungstage ab, mit"
        " im Mittel {kept} wahrgenommenen Terminen je Tag (Mittelwerte ohne KI; jeder Standort einzeln in der"
        " Grafik zur Auslastung der Standorte).",
        "en": "The {count} new sites hold {sessions} consultation days together in the measured period, with"
        " {kept} kept appointments a day on average (means, no interval; each site on its own in the figure"
        " of site use).",
    },
    "added_site_residents": {
        "de": "Für die Klienten aus {municipality}: Wegezeit zum Termin {travel_before} → {travel_after} Minuten,"
        " Teilnahmequote {attendance_before} → {attendance_after}.",
        "en": "For clients living in {municipality}: travel time to the appointment {travel_before} →"
        " {travel_after} minutes, attendance {attendance_before} → {attendance_after}.",
    },
    "not_distinguishable": {
        "de": "Nicht von null unterscheidbar (gepaarter t-Test mit Holm-Korrektur über alle Kennzahlen, daher"
        " auch bei einem Intervall ohne die Null möglich): ",
        "en": "Not distinguishable from zero (paired t-test with Holm's correction over all KPIs, so possible"
        " even where an interval excludes zero): ",
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
        "der Unterschied ist von null unterscheidbar; leerer Punkt: nicht unterscheidbar. Die Achsen "
        "der Kennzahlen beginnen bei null (Anteile: 0 bis 100 %), die der Unterschiede liegen "
        "symmetrisch um null und reichen nach jeder Seite mindestens 5 % des Mittelwerts von "
        "{baseline} (Anteile: 5 Prozentpunkte), damit kleine Unterschiede klein aussehen.",
        "en": "Lead KPIs per scenario (point: mean, line: 95 % CI) and the paired difference "
        "against {baseline}; filled point: the interval excludes the zero line, the difference "
        "is distinguishable from zero; hollow point: not distinguishable. Level axes start at zero "
        "(shares: 0 to 100 %); difference axes are symmetric around zero and reach at least 5 % of "
        "the mean of {baseline} either side (shares: 5 percentage points), so small differences look small.",
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
        "freie Termine), je Szenario (links, gestapelt). Rechts die Änderung jeder Kategorie "
        "gegenüber {baseline} in Stunden: der Unterschied der Mittelwerte über die Replikationen, "
        "ohne Intervall (die Ergebnisse halten keine Replikationswerte je Dienststelle); kleine "
        "Änderungen können Zufall sein. Den gepaarten Unterschied der Fahrzeit mit 95-%-KI zeigen "
        "Tabelle und Vergleichsabbildung.",
        "en": "Counsellor working time per office over the measured period: counselling face to "
        "face, case work and administration (notes, desk time outside consultation hours), "
        "travel, meetings, off sick and idle consultation time (no-shows, free slots), per scenario "
        "(left, stacked). Right: each category's change against {baseline} in hours, the difference "
        "of the means over the replications, without an interval (the results hold no replication "
        "values per office); small changes may be chance. The table and the comparison figure give "
        "the paired difference of travel time with its 95 % CI.",
    },
    "mean_differences": {
        "de": "Unterschied der Mittelwerte zu {baseline} (ohne KI)",
        "en": "difference of means against {baseline} (no CI)",
    },
    "caption_site_use": {
        "de": "Nutzung je Standort und Szenario (Balken: Mittelwert, Linie: 95-%-KI); fast leer "
        "heißt höchstens {nearly_empty_max} wahrgenommene Kontakte; fett und mit ! markiert: "
        "mehr als die Hälfte der Sprechtage fast leer.",
        "en": "Use per site and scenario (bar: mean, line: 95 % CI); nearly empty means at most "
        "{nearly_empty_max} kept contacts; bold and marked !: more than half of the sessions "
        "nearly empty.",
    },
    "rank_title": {
        "de": "Wo als Nächstes? Mögliche Standorte im {region}",
        "en": "Where next? Candidate sites in {region}",
    },
    "rank_question": {
        "de": "Welche Gemeinde im {region} brächte mit einem weiteren Beratungsraum am meisten für: {kpi}?",
        "en": "Which municipality of {region} would do most with one more consultation room for: {kpi}?",
    },
    "rank_answer": {
        "de": "Am meisten bringt ein Raum in {site}: {kpi} {effect} gegenüber heute.",
        "en": "A room in {site} does most: {kpi} {effect} against today.",
    },
    "rank_answer_unclear": {
        "de": "Am besten schneidet ein Raum in {site} ab ({kpi} {effect} gegenüber heute), doch dieser Unterschied"
        " zu heute ist nicht von null zu unterscheiden (das 95-%-KI schließt null ein).",
        "en": "A room in {site} comes out best ({kpi} {effect} against today), but the difference against today is"
        " not distinguishable from zero (its 95 % CI contains zero).",
    },
    "rank_answer_worse": {
        "de": "Am besten schneidet ein Raum in {site} ab, doch auch er verschlechtert die Zielgröße gegenüber"
        " heute: {kpi} {effect}.",
        "en": "A room in {site} comes out best, yet even it makes the objective worse than today: {kpi} {effect}.",
    },
    "rank_none_better": {
        "de": "Keiner der {simulated} simulierten Standorte verbessert die Zielgröße gegenüber heute nachweisbar.",
        "en": "None of the {simulated} candidates simulated improves the objective against today demonstrably.",
    },
    "rank_answer_kn": {
        "de": "Mit einer Wahrscheinlichkeit von mindestens {confidence} liegt {site} höchstens {delta}"
        " (Indifferenzzone rank.delta) hinter dem besten der"
        " {screened} näher geprüften von {candidates} möglichen Standorten (Verfahren von Kim & Nelson auf"
        " gemeinsamen Zufallszahlen).",
        "en": "With probability at least {confidence}, {site} is within {delta}"
        " (the indifference zone rank.delta) of the best of the {screened} candidates simulated out of"
        " {candidates} (Kim & Nelson's procedure on common random numbers).",
    },
    "rank_answer_one": {
        "de": "Simuliert wurde nur ein Standort, {site} ({why}): {kpi} {effect} gegenüber heute. Ohne einen zweiten"
        " gibt es keine Auswahl und keine Aussage darüber, ob er der beste ist.",
        "en": "Only one candidate was simulated, {site} ({why}): {kpi} {effect} against today. Without a second"
        " there is no selection and no claim that it is the best.",
    },
    "rank_one_named": {
        "de": "als einziger in rank.candidates benannt",
        "en": "the only one named in rank.candidates",
    },
    "rank_no_difference": {
        "de": "Dieser Unterschied zu heute ist nicht von null zu unterscheiden (das 95-%-KI schließt null ein).",
        "en": "The difference against today is not distinguishable from zero (its 95 % CI contains zero).",
    },
    "rank_worse": {
        "de": "Der Raum verschlechtert die Zielgröße gegenüber heute.",
        "en": "The room makes the objective worse than today.",
    },
    "rank_within_delta": {
        "de": "Weniger als {delta} dahinter (gepaart geschätzt), also innerhalb der Indifferenzzone nicht sicher"
        " davon zu unterscheiden: {others}.",
        "en": "Less than {delta} behind it (paired estimate), so not told apart from it within the indifference"
        " zone: {others}.",
    },
    "rank_no_winner": {
        "de": "Kein einzelner Standort lässt sich benennen: Das Budget von {budget} Replikationen je Standort war"
        " aufgebraucht, bevor einer übrig blieb. Noch im Rennen: {survivors}.",
        "en": "No single site can be named: the budget of {budget} replications per candidate was spent before"
        " one remained. Still in contention: {survivors}.",
    },
    "rank_identical": {
        "de": "Kein Standort ist besser: Alle geprüften Standorte ({survivors}) ergeben in jeder Replikation"
        " denselben Wert der Zielgröße.",
        "en": "No site is better: every candidate simulated ({survivors}) gives the same objective in every"
        " replication.",
    },
    "rank_one_screened": {
        "de": "der einzige, den die Vorauswahl behielt",
        "en": "the only one the screen kept",
    },
    "rank_table": {"de": "Rangfolge", "en": "Ranking"},
    "rank_position": {"de": "Rang", "en": "Rank"},
    "rank_candidate": {"de": "Gemeinde", "en": "Municipality"},
    "rank_score": {"de": "Vorauswahl (eingesparte Minuten)", "en": "Screen (minutes saved)"},
    "rank_objective": {"de": "Zielgröße ({unit}, 95-%-KI)", "en": "Objective ({unit}, 95 % CI)"},
    "rank_to_baseline": {"de": "Unterschied zu heute ({difference_unit})", "en": "Against today ({difference_unit})"},
    "rank_to_selected": {"de": "Unterschied zum Gewählten", "en": "Against the selected"},
    "rank_to_leading": {"de": "Unterschied zum Führenden", "en": "Against the leading candidate"},
    "rank_travel": {"de": "Fahrzeit der Beratungskräfte (Stunden)", "en": "Counsellor travel (hours)"},
    "rank_cost": {
        "de": "Kosten gegenüber heute (€; Annahmen: costs.*)",
        "en": "Cost against today (€; assumptions: costs.*)",
    },
    "rank_replications": {"de": "Replikationen", "en": "Replications"},
    "rank_status": {"de": "Ergebnis", "en": "Outcome"},
    "rank_selected": {"de": "gewählt", "en": "selected"},
    "rank_survivor": {"de": "noch im Rennen", "en": "still in contention"},
    "rank_only_simulated": {"de": "einziger simulierter Standort", "en": "the only one simulated"},
    "rank_eliminated": {"de": "ausgeschieden nach {n} Replikationen", "en": "eliminated after {n} replications"},
    "rank_screened_out": {"de": "in der Vorauswahl ausgeschieden", "en": "screened out"},
    "rank_sites_today": {"de": "Standorte heute", "en": "sites today"},
    "rank_effect_axis": {"de": "{kpi}: Unterschied zu heute ({unit})", "en": "{kpi}: against today ({unit})"},
    "rank_travel_axis": {
        "de": "zusätzliche Fahrzeit der Beratungskräfte (Stunden)",
        "en": "added counsellor travel (hours)",
    },
    "caption_ranking_map": {
        "de": "Mögliche Standorte, gefärbt nach ihrer simulierten Wirkung (gepaarter Unterschied zu heute; Farben um"
        " null zentriert, blau: besser als heute, rot: schlechter){grey}; Quadrate: Standorte heute{ring}.",
        "en": "Candidate sites coloured by their simulated effect (paired difference against today; colours centred"
        " on zero, blue: better than today, red: worse){grey}; squares: today's sites{ring}.",
    },
    "caption_ranking_map_grey": {
        "de": "; grau: in der Vorauswahl ausgeschieden, nicht simuliert",
        "en": "; grey: screened out, not simulated",
    },
    "caption_ranking_map_ring": {"de": "; Ring: der gewählte Standort", "en": "; ring: the selected site"},
    "caption_ranking_trade_off": {
        "de": "Wirkung gegen Aufwand: Unterschied der Zielgröße zu heute gegen die zusätzliche Fahrzeit der"
        " Beratungskräfte, je simuliertem Standort, mit gepaarten 95-%-KI.",
        "en": "What a site buys against what it costs: the objective's difference against today and the added"
        " counsellor travel, per simulated candidate, with paired 95 % CIs.",
    },
    "rank_method_screen": {
        "de": "Vorauswahl (statisches Modell, kein Simulationsergebnis): der Einfügeschritt eines p-Median-Modells"
        " auf den Wegezeiten – je Standort die Minuten Weg, die er den schwer Erreichbaren spart, die er"
        " bedienen würde (schwer Erreichbare × Verkürzung ihres Wegs mit Bus und Bahn), mit deren Zahl und Wegen"
        " aus der ersten Stufe der Basis.",
        "en": "Screen (a static model, not a simulation result): the add-one step of a p-median on the travel"
        " times: per candidate, the minutes it saves the hard-to-reach it would serve (hard-to-reach clients ×"
        " how much shorter their bus trip gets), their numbers and trips from the baseline's first stage.",
    },
    "rank_method_margin": {
        "de": "Weiter geprüft werden alle Standorte mit mindestens {margin} % der besten Punktzahl"
        " (rank.screen_margin).",
        "en": "Every candidate with at least {margin} % of the best score goes on (rank.screen_margin).",
    },
    "rank_method_keep": {
        "de": "Weiter geprüft werden die {keep} mit der besten Punktzahl (rank.screen_keep).",
        "en": "The {keep} best scores go on (rank.screen_keep).",
    },
    "rank_method_named": {
        "de": "Die Standorte wurden in rank.candidates benannt und alle simuliert; die Punktzahl der Vorauswahl"
        " dient hier nur zur Information.",
        "en": "The candidates were named in rank.candidates and all simulated; the screening score is for"
        " information only.",
    },
    "rank_method_one": {
        "de": "Auswahl: keine, denn mit einem Standort gibt es nichts auszuwählen; er und die Basis erhielten je"
        " {n0} Replikationen auf denselben Zufallszahlen (gepaarte Unterschiede). Insgesamt {used} Replikationen.",
        "en": "Selection: none, as there is nothing to select among one candidate; it and the baseline got {n0}"
        " replications each on the same random numbers (paired differences). {used} replications in all.",
    },
    "rank_method_kn": {
        "de": "Auswahl: das vollständig sequenzielle Verfahren KN (Kim & Nelson 2001) mit Indifferenzzone"
        " rank.delta = {delta}; jeder Standort erhält zuerst {n0} Replikationen, dann die noch nicht ausgeschiedenen je"
        " {batch} weitere, bis einer übrig ist oder {budget} erreicht sind. Alle Standorte und die Basis laufen"
        " mit denselben Zufallszahlen (gepaarte Unterschiede). Insgesamt {used} Replikationen.",
        "en": "Selection: the fully sequential procedure KN (Kim & Nelson 2001) with indifference zone"
        " rank.delta = {delta}; every candidate gets {n0} replications first, then those still in contention"
        " {batch} more at a time, until one remains or {budget} are reached. All candidates and the baseline run"
        " on the same random numbers (paired differences). {used} replications in all.",
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
    "caption_map_tours": {
        "de": " Linien: die Touren der Beratungsmobile von der Dienststelle über die Halte zurück, jede"
        " verschiedene Tagesroute einmal, eine Farbe je Fahrzeug.",
        "en": " Lines: the vehicles' tours from the office through the stops and back, each distinct"
        " day's route once, one colour per vehicle.",
    },
    "costs": {"de": "Kosten je Szenario", "en": "Costs per scenario"},
    "scenario": {"de": "Szenario", "en": "Scenario"},
    "cost_per_gain": {
        "de": "Kosten je zusätzlichem wahrgenommenem Kontakt gegenüber {baseline}",
        "en": "cost per additional kept contact against {baseline}",
    },
    "cost_per_gain_hard_to_reach": {
        "de": "Kosten je zusätzlichem wahrgenommenem Kontakt der schwer Erreichbaren gegenüber {baseline}",
        "en": "cost per additional kept contact of the hard-to-reach against {baseline}",
    },
    "costs_note": {
        "de": "Mittelwert über die Replikationen, darunter das 95-%-Konfidenzintervall und n. Die Kosten"
        " umfassen die Arbeitszeit der Beratungskräfte, Fahrten, Räume und Fahrzeuge (deren Jahreskosten"
        " anteilig für den Messzeitraum, dazu je gefahrenem km). Kosten je zusätzlichem Kontakt: mittlerer"
        " gepaarter Mehraufwand an Kosten geteilt durch"
        " den mittleren gepaarten Zuwachs an wahrgenommenen Kontakten gegenüber {baseline}, je Replikation"
        " gepaart (gleiche Zufallszahlen); 95-%-Intervall nach Fieller aus den gepaarten Differenzen (mit"
        " ihrer Kovarianz). Es ist nur bestimmbar, wenn das 95-%-t-Intervall des Zuwachses an Kontakten die"
        " Null ausschließt (ohne Holm-Korrektur).",
        "en": "Mean over the replications, below it the 95 % confidence interval and n. Costs cover counsellor"
        " working time, travel, rooms and vehicles (their yearly cost pro rata"
        " for the measured period, plus per km driven). Cost per additional"
        " contact: the mean paired extra cost divided by the mean paired gain in kept contacts against"
        " {baseline}, paired by replication (common random numbers); 95 % interval by Fieller's method from"
        " the paired differences (with their covariance). It can only be determined when the 95 % t-interval"
        " of the gain in contacts excludes zero (no Holm correction).",
    },
    "not_determinable_cell": {"de": "nicht bestimmbar", "en": "cannot be determined"},
    "not_determinable_reason": {
        "de": "Zuwachs {gain} (95-%-KI {low} bis {high}) nicht von 0 zu unterscheiden",
        "en": "gain {gain} (95 % CI {low} to {high}) not distinguishable from 0",
    },
    "loses_cell": {"de": "verliert Kontakte", "en": "loses contacts"},
    "loses_reason": {
        "de": "{gain} Kontakte (95-%-KI {low} bis {high}), Kosten {cost} €",
        "en": "{gain} contacts (95 % CI {low} to {high}), cost {cost} €",
    },
    "conference_answer": {
        "de": "Fallkonferenzen: die Projektteams wenden {conference} Stunden für Fallkonferenzen und {interview}"
        " Stunden für Gespräche auf; {sessions} Die Teams beraten"
        " {cases} Fälle, führen {interviews} Gespräche und vereinbaren {measures} Maßnahmen (im Mittel {days}"
        " Tage nach der Fallkonferenz). Gegenüber {baseline}: wahrgenommene Kontakte {kept}, mittlere Wartezeit"
        " bis zum Termin in Tagen {wait}, Abgänge in Arbeit {exits}.",
        "en": "Case conferences: the project teams spend {conference} hours in case conferences and {interview}"
        " hours on interviews; {sessions} The teams review {cases} cases, hold {interviews} interviews and"
        " agree {measures} measures ({days} days after the conference on average). Against {baseline}: kept"
        " contacts {kept}, mean days to appointment {wait}, exits to work {exits}.",
    },
    "conference_sessions_lost": {
        "de": "da ein geblocktes Teammitglied den ganzen Sprechtag verpasst, in den der Block fällt, entgehen den"
        " Dienststellen {sessions} Sprechtage einer Beratungskraft.",
        "en": "as a blocked member misses the whole session the block falls in, the offices lose {sessions}"
        " counsellor sessions.",
    },
    "conference_sessions_none": {
        "de": "ihre Zeit liegt außerhalb der Sprechzeiten der Dienststellen, kein Sprechtag verliert eine"
        " Beratungskraft.",
        "en": "their time lies outside the offices' consultation hours, so no session loses a counsellor.",
    },
    "change_with_interval": {
        "de": "{difference} (95-%-KI {low} bis {high})",
        "en": "{difference} (95 % CI {low} to {high})",
    },
    "cost_answer": {
        "de": "{label}: {gain} {kept} (95-%-KI {low} bis {high}), {price}.",
        "en": "{label}: {gain} {kept} (95 % CI {low} to {high}), {price}.",
    },
    "cost_answer_hard_to_reach": {
        "de": " Für die schwer Erreichbaren: {gain} Kontakte (95-%-KI {low} bis {high}), {price}.",
        "en": " For the hard-to-reach: {gain} contacts (95 % CI {low} to {high}), {price}.",
    },
    "price": {
        "de": "jeder zusätzliche Kontakt kostet {cost} € (95-%-KI {low} bis {high} €)",
        "en": "each additional contact costs {cost} € (95 % CI {low} to {high} €)",
    },
    "price_saves": {
        "de": "bei geringeren Kosten: jeder zusätzliche Kontakt spart {cost} € (95-%-KI {low} bis {high} €)",
        "en": "at lower cost: each additional contact saves {cost} € (95 % CI {low} to {high} €)",
    },
    "price_no_interval": {
        "de": "jeder zusätzliche Kontakt kostet {cost} € (zu wenige Replikationen für ein Intervall, n = {n})",
        "en": "each additional contact costs {cost} € (too few replications for an interval, n = {n})",
    },
    "price_not_determinable": {
        "de": "die Kosten je zusätzlichem Kontakt sind nicht bestimmbar, weil der Zuwachs an Kontakten nicht"
        " von 0 zu unterscheiden ist",
        "en": "the cost per additional contact cannot be determined: the gain in contacts is not"
        " distinguishable from 0",
    },
    "price_loses": {
        "de": "die Option verliert Kontakte, bei Mehrkosten von {cost} €",
        "en": "the option loses contacts, at an extra cost of {cost} €",
    },
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

VEHICLE_KINDS = {
    "van": {"de": "Transporter", "en": "van"},
    "bus": {"de": "Bus", "en": "bus"},
    "truck": {"de": "Lkw", "en": "truck"},
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


def word_list(items: list[str], lang: str) -> str:
    """Items joined the way the reader writes a list: 'A, B und C' (Babel)."""
    return format_list(items, locale=LOCALES[lang])


def format_number(value: float, lang: str, decimals: int, signed: bool = False) -> str:
    """Format a number for `lang` (Babel): decimal comma and dot thousands in German, a true minus
    sign, rounded as Python rounds the float (half to even on its exact binary value)."""
    if not math.isfinite(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(Decimal(abs(value)), format=pattern, locale=LOCALES[lang])
    if value < 0 and text.strip("0.,") != "":
        return MINUS + text
    return "+" + text if signed and value > 0 else text


def format_plain(value: object, lang: str) -> str:
    """A config value as a reader writes it: a number with as many decimals as it has (up to 6)
    in the language's way, a word as it is."""
    if isinstance(value, bool) or value is None:
        return {True: {"de": "ja", "en": "yes"}, False: {"de": "nein", "en": "no"}, None: {"de": "–", "en": "–"}}[
            value
        ][lang]
    if isinstance(value, int):
        return format_number(value, lang, 0)
    if isinstance(value, float):
        return format_number(value, lang, own_decimals(value))
    return str(value)


def own_decimals(value: float) -> int:
    """The decimals a number has as written (up to 6): 0.005 has 3, 10.0 has none."""
    return len(f"{value:.6f}".rstrip("0").split(".")[1]) if math.isfinite(value) else 0


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


WEEKDAYS = {
    "mon": {"de": "Montag", "en": "Monday"},
    "tue": {"de": "Dienstag", "en": "Tuesday"},
    "wed": {"de": "Mittwoch", "en": "Wednesday"},
    "thu": {"de": "Donnerstag", "en": "Thursday"},
    "fri": {"de": "Freitag", "en": "Friday"},
    "sat": {"de": "Samstag", "en": "Saturday"},
    "sun": {"de": "Sonntag", "en": "Sunday"},
}

# The reader's name of each parameter the assumptions table lists (sim.config.sources); the key is
# printed beside it, so a parameter without a name here is still found.
PARAMETERS = {
    "clients.count": {"de": "Zahl der Klienten", "en": "number of clients"},
    "clients.share_of_population": {
        "de": "Klienten je Einwohner",
        "en": "clients per inhabitant",
    },
    "clients.no_car_share": {"de": "Anteil ohne Auto", "en": "share without a car"},
    "clients.under25_share": {"de": "Anteil unter 25 Jahren", "en": "share under 25"},
    "clients.interval_weeks_under25": {
        "de": "Kontaktabstand unter 25 (Wochen)",
        "en": "contact interval under 25 (weeks)",
    },
    "clients.interval_weeks_min": {
        "de": "kürzester Kontaktabstand der übrigen (Wochen)",
        "en": "shortest contact interval of the others (weeks)",
    },
    "clients.mean_stay_days": {"de": "mittlere Verweildauer (Tage)", "en": "mean stay on the caseload (days)"},
    "clients.work_share_of_exits": {
        "de": "Anteil der Abgänge in Arbeit",
        "en": "share of exits that are to work",
    },
    "clients.measure_hazard_factor": {
        "de": "Faktor einer Maßnahme auf die Abgangsrate in Arbeit",
        "en": "factor of a measure on the hazard of leaving for work",
    },
    "clients.limited_share": {
        "de": "Anteil mit gesundheitlichen Einschränkungen oder Betreuungspflichten",
        "en": "share with health limits or care duties",
    },
    "clients.poor_connection_min": {
        "de": "schlechte Anbindung: Busfahrt zur Dienststelle länger als (Minuten)",
        "en": "poor connection: bus ride to the office longer than (minutes)",
    },
    "clients.arrival_offset_mean_min": {
        "de": "Ankunft gegenüber der Terminzeit, Mittel (Minuten)",
        "en": "arrival against the appointment time, mean (minutes)",
    },
    "clients.arrival_offset_sd_min": {
        "de": "Ankunft gegenüber der Terminzeit, Standardabweichung (Minuten)",
        "en": "arrival against the appointment time, standard deviation (minutes)",
    },
    "attendance.intercept": {"de": "Nichterscheinen: Grundwert (Logit)", "en": "no-show: intercept (logit)"},
    "attendance.hard_to_reach": {
        "de": "Nichterscheinen: Zuschlag der schwer Erreichbaren (Logit)",
        "en": "no-show: added for the hard-to-reach (logit)",
    },
    "attendance.travel_per_min_no_car": {
        "de": "Nichterscheinen je Minute Weg, ohne Auto (Logit)",
        "en": "no-show per minute of travel, without a car (logit)",
    },
    "attendance.travel_per_min_car": {
        "de": "Nichterscheinen je Minute Weg, mit Auto (Logit)",
        "en": "no-show per minute of travel, with a car (logit)",
    },
    "attendance.per_prior_no_show": {
        "de": "Nichterscheinen je vorigem Nichterscheinen (Logit)",
        "en": "no-show per previous no-show (logit)",
    },
    "attendance.long_lead": {
        "de": "Nichterscheinen bei langem Vorlauf (Logit)",
        "en": "no-show with a long lead time (logit)",
    },
    "attendance.no_car": {"de": "Nichterscheinen ohne Auto (Logit)", "en": "no-show without a car (logit)"},
    "travel.detour_factor": {"de": "Umwegfaktor Straße/Luftlinie", "en": "detour factor road/straight line"},
    "travel.car_speed_kmh": {"de": "Geschwindigkeit Auto (km/h)", "en": "car speed (km/h)"},
    "travel.pt_speed_kmh": {"de": "Geschwindigkeit ÖPNV (km/h)", "en": "public transport speed (km/h)"},
    "travel.pt_headway_min": {"de": "ÖPNV-Takt (Minuten)", "en": "public transport headway (minutes)"},
    "travel.mode": {"de": "Wegezeitmodell", "en": "travel time model"},
    "durations.followup.mean_min": {"de": "Folgegespräch (Minuten)", "en": "follow-up interview (minutes)"},
    "durations.first.mean_min": {"de": "Erstgespräch (Minuten)", "en": "first interview (minutes)"},
    "durations.documentation_min": {
        "de": "Dokumentation je Kontakt (Minuten)",
        "en": "documentation per contact (minutes)",
    },
    "staff.leave_share": {"de": "Urlaubsanteil", "en": "share on leave"},
    "staff.sick_rate": {"de": "Krankheitsquote je Tag", "en": "daily sickness rate"},
    "staff.hours_per_day": {"de": "Arbeitsstunden je Tag", "en": "working hours per day"},
    "booking.notice_days": {"de": "Einladungsfrist (Tage)", "en": "invitation notice (days)"},
    "booking.max_lead_days": {
        "de": "längster Vorlauf am nächsten Standort (Tage)",
        "en": "longest lead time at the nearest site (days)",
    },
    "booking.policy": {"de": "Einladungsregel", "en": "invitation policy"},
    "booking.reinvite_days": {
        "de": "erneute Einladung nach Nichterscheinen (Tage)",
        "en": "re-invitation after a no-show (days)",
    },
    "booking.lost_after_no_shows": {
        "de": "verloren nach Nichterscheinen in Folge",
        "en": "lost after consecutive no-shows",
    },
    "costs.counsellor_hour_eur": {
        "de": "Kosten je Arbeitsstunde einer Beratungskraft (€)",
        "en": "cost per counsellor hour (€)",
    },
    "costs.per_km_eur": {"de": "Kosten je gefahrenem km (€)", "en": "cost per km driven (€)"},
    "costs.room_day_eur": {"de": "Kosten je Beratungstag im Gemeinderaum (€)", "en": "cost per room day (€)"},
}


def parameter_label(key: str, lang: str) -> str:
    """The reader's name of a parameter ('' for one without: its key stands alone); a site's
    municipality is named in its value."""
    if key.startswith("sites."):
        return {"de": "Standort", "en": "site"}[lang]
    if key.startswith("vehicles."):
        return {"de": "Beratungsmobil", "en": "vehicle"}[lang]
    if key.startswith("teams."):
        return {"de": "Projektteam mit Fallkonferenzen", "en": "project team with case conferences"}[lang]
    if key.startswith("courses."):
        return {"de": "Gruppenkurs (Jobcenter-internes Projekt)", "en": "group course (internal project)"}[lang]
    return PARAMETERS.get(key, {}).get(lang, "")


def calendar_text(calendar: dict, lang: str) -> str:
    """A site's calendar in words, e.g. 'Mittwoch alle 2 Wochen, 09:00–15:00' (with the week of the
    cycle, 'in Woche 2', where the calendar gives one)."""
    if calendar.get("always_open"):
        return {"de": "immer geöffnet", "en": "always open"}[lang]
    days = ", ".join(WEEKDAYS.get(day, {}).get(lang, day) for day in calendar["weekdays"])
    every = int(calendar["every_weeks"])
    if every == 1:
        rhythm = {"de": "jede Woche", "en": "every week"}[lang]
    else:
        rhythm = {"de": f"alle {every} Wochen", "en": f"every {every} weeks"}[lang]
        if "week_offset" in calendar:
            week = int(calendar["week_offset"]) + 1
            rhythm += {"de": f" (Woche {week})", "en": f" (week {week})"}[lang]
    return f"{days} {rhythm}, {calendar['start']}–{calendar['end']}"


# Words a config value may be, in the reader's language (the key beside it stays as typed)
CONFIG_WORDS = {
    "local": {
        "de": "local (vor Ort: ein Raum lädt seine Zielgruppe ein)",
        "en": "local (a room invites its target group)",
    },
    "nearest": {"de": "nearest (nächster Standort)", "en": "nearest (the nearest site)"},
    "catchment": {
        "de": "catchment (die zuständige Dienststelle laut offices.csv)",
        "en": "catchment (the office offices.csv assigns)",
    },
    "model": {"de": "model (Luftlinie × Umweg / Geschwindigkeit)", "en": "model (straight line × detour / speed)"},
    "matrix": {"de": "matrix (Fahrzeitmatrix aus Datei)", "en": "matrix (travel times from a file)"},
    "zero": {"de": "zero (keine Wege)", "en": "zero (no travel)"},
}
PROVENANCE = {
    "package_version": {"de": "Programmversion", "en": "package version"},
    "git_commit": {"de": "Git-Commit", "en": "git commit"},
    "seed": {"de": "Startwert", "en": "seed"},
    "replications": {"de": "Replikationen", "en": "replications"},
    "horizon_days": {"de": "Simulierte Tage", "en": "simulated days"},
    "warmup_days": {"de": "Einschwingtage", "en": "warm-up days"},
    "workers": {"de": "Prozesse", "en": "processes"},
    "python": {"de": "Python", "en": "Python"},
    "platform": {"de": "System", "en": "platform"},
    "libraries": {"de": "Bibliothek", "en": "library"},
    "command": {"de": "Befehl", "en": "command"},
    "started": {"de": "Beginn", "en": "started"},
    "finished": {"de": "Ende", "en": "finished"},
}


def config_word(value: str, lang: str) -> str:
    """A config word (booking.policy, travel.mode) with what it means in the reader's language."""
    return CONFIG_WORDS.get(value, {}).get(lang, value)


def provenance_label(key: str, lang: str) -> str:
    """A provenance entry's name in the reader's language, e.g. 'Bibliothek numpy' for libraries.numpy."""
    head, _, rest = key.partition(".")
    label = PROVENANCE.get(head, {}).get(lang, head)
    return f"{label} {rest}" if rest else label


def counsellors_text(count: int, lang: str) -> str:
    """'1 Beratungskraft', '3 Beratungskräfte'; '1 counsellor', '3 counsellors'."""
    if lang == "de":
        return f"{count} Beratungskraft" if count == 1 else f"{count} Beratungskräfte"
    return f"{count} counsellor" if count == 1 else f"{count} counsellors"


def site_text(site: dict, lang: str) -> str:
    """A site's setting (sim.config.sources.site_value) in words, in the reader's language."""
    staff = counsellors_text(int(site["counsellors"]), lang)
    place = {"de": "in", "en": "in"}[lang]
    parts = [
        f"{site_kind_label(site['kind'], lang)} {place} {site['municipality']}",
        staff,
        calendar_text(site["calendar"], lang),
    ]
    reception = site.get("reception")
    if reception:
        minutes, clerks = format_plain(float(reception["checkin_min"]), lang), int(reception["clerks"])
        parts.append(
            {
                "de": f"Empfang mit {clerks} {'Kraft' if clerks == 1 else 'Kräften'},"
                f" Anmeldung {minutes} min (Annahme)",
                "en": f"reception with {clerks} clerk{'' if clerks == 1 else 's'}, check-in {minutes} min (assumption)",
            }[lang]
        )
    return ", ".join(parts)


TARGET_GROUP_WORDS = {  # whom a team or a course is for (caseload.TARGET_GROUPS), in words
    "all": {"de": "alle Klienten", "en": "all clients"},
    "no_car": {"de": "Klienten ohne Auto", "en": "clients without a car"},
    "hard_to_reach": {"de": "schwer Erreichbare", "en": "the hard to reach"},
    "under25": {"de": "unter 25-Jährige", "en": "clients under 25"},
    "long_term": {"de": "Langzeitleistungsbeziehende ab 21 Monaten", "en": "long-term recipients, 21 months or more"},
}


def team_text(team: dict, lang: str) -> str:
    """A project team's setting (sim.config.sources.team_value) in words, in the reader's language, e.g.
    'für Zwingenberg aus der Dienststelle in Heppenheim, 3 Beratungskräfte; Fallkonferenz Dienstag 10:00,
    1,5 Stunden, bis zu 3 Fälle (Langzeitleistungsbeziehende); ...'."""
    de = lang == "de"
    office = team.get("office_municipality") or team.get("office")
    if office:
        origin = f"aus der Dienststelle in {office}" if de else f"from the office in {office}"
    else:
        origin = "aus der zuständigen Dienststelle (offices.csv)" if de else "from the office offices.csv assigns"
    members, interviewers = int(team["members"]), int(team["interviewers"])
    day, talks = (WEEKDAYS.get(team[key], {}).get(lang, team[key]) for key in ("weekday", "interview_weekday"))
    group = TARGET_GROUP_WORDS.get(team["target_group"], {}).get(lang, team["target_group"])
    hours, talk_hours = format_plain(float(team["hours"]), lang), format_plain(float(team["interview_hours"]), lang)
    cases, within = int(team["cases_per_conference"]), int(team["interview_within_days"])
    notice = int(team["notice_days"])
    share = format_plain(round(float(team["measure_probability"]) * 100, 1), lang)
    at_office = team["interview_at"] == "office"
    if de:
        where = "in der Dienststelle" if at_office else f"in {team['team_of']}"
        return (
            f"für {team['team_of']} {origin}, {counsellors_text(members, 'de')};"
            f" Fallkonferenz {day} ab {team['start']}, {hours} Stunden, bis zu {cases} Fälle ({group});"
            f" persönliches Gespräch binnen {within} Tagen {where} ({talks} ab {team['interview_start']},"
            f" {talk_hours} Stunden, {interviewers} Gesprächsführende, je {int(team['interview_min'])} min,"
            f" Einladung {notice} Tage vorher); Maßnahme vereinbart mit Wahrscheinlichkeit {share} %"
        )
    where = "at the office" if at_office else f"in {team['team_of']}"
    return (
        f"for {team['team_of']} {origin}, {counsellors_text(members, 'en')};"
        f" case conference {day} from {team['start']}, {hours} hours, up to {cases} cases ({group});"
        f" personal interview within {within} days {where} ({talks} from {team['interview_start']},"
        f" {talk_hours} hours, {interviewers} interviewer{'' if interviewers == 1 else 's'},"
        f" {int(team['interview_min'])} min each, invited {notice} days ahead);"
        f" measure agreed with probability {share} %"
    )


def course_text(course: dict, lang: str) -> str:
    """A group course's setting (sim.config.sources.course_value) in words, in the reader's language, e.g.
    'in Bocholt, von 2 Beratungskräften der Dienststelle in Bocholt; bis zu 12 Teilnehmende (Raum: 15
    Plätze), mindestens 6; 8 Treffen wöchentlich Dienstag ab 09:00, je 3 Stunden; ...'."""
    de = lang == "de"
    places = list(course["places"])
    rotating = len(places) > 1
    where = ", ".join(places)
    staff = int(course["staff"])
    office = course.get("office_municipality") or course["office"]
    day = WEEKDAYS.get(course["weekday"], {}).get(lang, course["weekday"])
    group = TARGET_GROUP_WORDS.get(course["target_group"], {}).get(lang, course["target_group"])
    hours, factor = format_plain(float(course["hours"]), lang), format_plain(float(course["invite_factor"]), lang)
    catchment = ", ".join(course["catchment"])
    capacity, seats, minimum = int(course["capacity"]), int(course["room_seats"]), int(course["min_size"])
    meetings, every, notice = int(course["meetings"]), int(course["every_weeks"]), int(course["notice_days"])
    dropout = int(course["dropout_after"])
    if de:
        place = f"im Wechsel in {where} (jeder Durchgang am nächsten Ort)" if rotating else f"in {where}"
        invited = f"Einwohner des Kursorts{' und von ' + catchment if catchment else ''}"
        return (
            f"{place}, {counsellors_text(staff, 'de')} der Dienststelle in {office};"
            f" bis zu {capacity} Teilnehmende (Raum: {seats} Plätze), mindestens {minimum}, sonst verschoben;"
            f" {meetings} wöchentliche Treffen {day} ab {course['start']}, je {hours} Stunden, alle {every} Wochen"
            f" ein neuer Durchgang; eingeladen: {group} ({invited}), {factor} Einladungen je freiem Platz,"
            f" {notice} Tage vorher; Abbruch nach {dropout} versäumten Treffen"
        )
    place = f"in turn in {where} (each run in the next place)" if rotating else f"in {where}"
    invited = f"residents of the course's place{' and of ' + catchment if catchment else ''}"
    return (
        f"{place}, {counsellors_text(staff, 'en')} of the office in {office};"
        f" up to {capacity} participants (room: {seats} seats), at least {minimum}, else postponed;"
        f" {meetings} weekly meetings {day} from {course['start']}, {hours} hours each, a new run every {every}"
        f" weeks; invited: {group} ({invited}), {factor} invitations per free seat, {notice} days ahead;"
        f" dropout after {dropout} missed meetings"
    )


def vehicle_kind_label(kind: str, lang: str) -> str:
    """Return the reader's name of a vehicle kind (van, bus, truck)."""
    return VEHICLE_KINDS.get(kind, {}).get(lang, kind)


def vehicle_name(key: str, kind: str, lang: str) -> str:
    """A vehicle as a legend names it: its kind in the reader's language and its key, e.g.
    'Transporter van_west', or the kind alone where the key is the kind ('Lkw' for truck)."""
    label = capitalise(vehicle_kind_label(kind, lang))
    return label if key == kind else f"{label} {key}"


def vehicle_text(vehicle: dict, lang: str) -> str:
    """A vehicle's setting (sim.config.sources.vehicle_value) in words, in the reader's language, e.g.
    'Lkw ab Erbach, 2 Kabinen, 2 Beratungskräfte, 10 Halte (Bad König Montag alle 2 Wochen, ...), ...'."""
    de = lang == "de"
    booths, counsellors = int(vehicle["booths"]), int(vehicle["counsellors"])
    parts = [
        f"{capitalise(vehicle_kind_label(vehicle['kind'], lang))} {'ab' if de else 'from'}"
        f" {vehicle.get('depot_municipality') or vehicle['depot']}",
        (f"{booths} Kabine" if booths == 1 else f"{booths} Kabinen")
        if de
        else (f"{booths} booth" if booths == 1 else f"{booths} booths"),
        counsellors_text(counsellors, lang),
    ]
    stops = vehicle.get("stops")
    if stops:
        listed = "; ".join(f"{stop['municipality']} {calendar_text(stop['calendar'], lang)}" for stop in stops)
        count = len(stops)
        word = ("Halt" if count == 1 else "Halte") if de else ("stop" if count == 1 else "stops")
        parts.append(f"{count} {word} ({listed})")
    elif vehicle.get("tour"):
        tour = vehicle["tour"]
        days = ", ".join(WEEKDAYS.get(day, {}).get(lang, day) for day in tour["weekdays"])
        if tour.get("every_weeks"):
            every = int(tour["every_weeks"])
            rhythm = {"de": f"jeder alle {every} Wochen", "en": f"each every {every} weeks"}[lang]
        else:
            rhythm = {"de": "Besuche nach Zahl der Klienten", "en": "visits in proportion to the clients"}[lang]
        hours = format_plain(float(tour["stop_hours"]), lang)
        per_day = int(tour["per_day"])
        cycle = int(tour["cycle_weeks"])
        parts.append(
            {
                "de": f"erzeugte Tour mit {len(tour['stops'])} Halten ({', '.join(tour['stops'])}), {rhythm},"
                f" Zyklus {cycle} Wochen, {days}, höchstens {per_day} {'Halt' if per_day == 1 else 'Halte'} je Tag,"
                f" {hours} Stunden je Halt",
                "en": f"generated tour of {len(tour['stops'])} stops ({', '.join(tour['stops'])}), {rhythm},"
                f" cycle {cycle} weeks, {days}, at most {per_day} stop{'' if per_day == 1 else 's'} a day,"
                f" {hours} hours per stop",
            }[lang]
        )
    maintenance = int(vehicle.get("maintenance_days_per_year") or 0)
    if maintenance:
        parts.append(
            f"{maintenance} {'Wartungstag' if maintenance == 1 else 'Wartungstage'} im Jahr"
            if de
            else f"{maintenance} maintenance day{'' if maintenance == 1 else 's'} a year"
        )
    breakdowns = vehicle.get("breakdowns") or {}
    between = float(breakdowns.get("mean_days_between") or 0)
    if between > 0:
        every = format_plain(between, lang)
        repair = format_plain(float(breakdowns.get("repair_days_mean") or 0), lang)
        parts.append(
            f"Pannen im Mittel alle {every} Tourtage, Reparatur im Mittel {repair} Arbeitstage"
            if de
            else f"breakdowns on average every {every} tour days, repair on average {repair} working days"
        )
    else:
        parts.append("keine Pannen" if de else "no breakdowns")
    year = format_number(float(vehicle.get("cost_per_year_eur") or 0), lang, 0)
    per_km = format_number(float(vehicle.get("per_km_eur") or 0), lang, 2)
    parts.append(f"{year} € im Jahr" if de else f"{year} € a year")
    parts.append(f"{per_km} € je km" if de else f"{per_km} € per km")
    return ", ".join(parts)
