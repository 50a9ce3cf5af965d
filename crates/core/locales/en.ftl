# English messages. Every key here is in cy.ftl too (a test in crates/core/src/i18n.rs).
# Keys are lowercase words joined by hyphens, starting with the page or component they belong to.

## The GOV.UK layout and components (crates/govuk-assets/src/words.rs lists these keys)
language-code = en
govuk-skip-link = Skip to main content
govuk-service-information = Service information
govuk-phase-tag = Alpha
govuk-phase-before-link = This is a new service – your
govuk-phase-link = feedback
govuk-phase-after-link = will help us to improve it.
govuk-support-links = Support links
govuk-accessibility = Accessibility statement
govuk-cookies = Cookies
govuk-privacy = Privacy
govuk-licence-before-link = All content is available under the
govuk-licence-link = Open Government Licence v3.0
govuk-licence-after-link = , except where otherwise stated
govuk-copyright = © Crown copyright
govuk-there-is-a-problem = There is a problem
govuk-error = Error:
govuk-warning = Warning
govuk-back = Back
govuk-menu = Menu
govuk-day = Day
govuk-month = Month
govuk-year = Year
govuk-or = or

## The service's layout
service-name = GOV.UK One Login
language-toggle-label = Language switcher

## Dates
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Warnings before a wait
tries-left = { $count ->
    [one] You have 1 try left before you have to wait to try again.
   *[other] You have { $count } tries left before you have to wait to try again.
}
