# Negeseuon Cymraeg. Mae pob allwedd yma hefyd yn en.ftl (prawf yn crates/core/src/i18n.rs).
# Where GOV.UK publishes Welsh wording for a pattern, it is used as published.

## The GOV.UK layout and components
language-code = cy
govuk-skip-link = Neidio i'r prif gynnwys
govuk-service-information = Gwybodaeth am y gwasanaeth
govuk-phase-tag = Alffa
govuk-phase-before-link = Mae hwn yn wasanaeth newydd – bydd eich
govuk-phase-link = adborth
govuk-phase-after-link = yn ein helpu i'w wella.
govuk-support-links = Dolenni cymorth
govuk-accessibility = Datganiad hygyrchedd
govuk-cookies = Cwcis
govuk-privacy = Preifatrwydd
govuk-licence-before-link = Mae'r holl gynnwys ar gael o dan y
govuk-licence-link = Drwydded Llywodraeth Agored v3.0
govuk-licence-after-link = , oni nodir yn wahanol
govuk-copyright = © Hawlfraint y Goron
govuk-there-is-a-problem = Mae problem
govuk-error = Gwall:
govuk-warning = Rhybudd
govuk-back = Yn ôl
govuk-menu = Dewislen
govuk-day = Diwrnod
govuk-month = Mis
govuk-year = Blwyddyn
govuk-or = neu

## The service's layout
service-name = GOV.UK One Login
language-toggle-label = Dewis iaith

## Dates
month-1 = Ionawr
month-2 = Chwefror
month-3 = Mawrth
month-4 = Ebrill
month-5 = Mai
month-6 = Mehefin
month-7 = Gorffennaf
month-8 = Awst
month-9 = Medi
month-10 = Hydref
month-11 = Tachwedd
month-12 = Rhagfyr

## Warnings before a wait
tries-left = { $count ->
    [one] Mae gennych 1 cynnig ar ôl cyn y bydd yn rhaid i chi aros i roi cynnig arall arni.
   *[other] Mae gennych { $count } cynnig ar ôl cyn y bydd yn rhaid i chi aros i roi cynnig arall arni.
}
