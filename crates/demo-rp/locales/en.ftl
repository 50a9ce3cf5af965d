# The demo departments' words (issue 15), English. cy.ftl holds the same keys (a test checks).
# The GOV.UK layout's own words (govuk-*), language-code and the month names come from the
# provider's catalogues (crates/core/locales), which this one is read before.

toggle-label = Choose a language

## The start page
start-renew-intro = Use this service to renew your photocard driving licence.
start-renew-sign-in = You will sign in with GOV.UK One Login and prove your identity. If you have proved your identity for another government service, you will not need to do it again.
start-renew-filled-in = We will fill in the form with your verified name, date of birth, address and licence number.
start-benefit-intro = Use this service to apply for a benefit.
start-benefit-sign-in = You will sign in with GOV.UK One Login first. Before you send your application we will ask GOV.UK One Login to confirm your identity.
start-now = Start now
continue-your-application = Continue your application

## The application page
your-application = Your application
success = Success
identity-confirmed = GOV.UK One Login confirmed your identity.
identity-same-sign-in = You did not have to sign in again: GOV.UK One Login reports the sign-in from before this step.
identity-signed-in-again = GOV.UK One Login asked you to sign in again.
identity-away-reused = You were with GOV.UK One Login for { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
}, too short for a new identity check: your proven identity was reused.
identity-away = You were with GOV.UK One Login for { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
}.
details-refreshed = Your details were refreshed from GOV.UK One Login with a refresh token, without a new sign-in.
your-one-login = Your GOV.UK One Login
identifier-for-this-service = Identifier for this service
email-address = Email address
how-you-signed-in = How you signed in
signed-in-with-password-and-code = Password and security code
signed-in-with-password = Password
signed-in-at = Signed in at
why-a-different-identifier = Why does each service see a different identifier?
why-a-different-identifier-answer = GOV.UK One Login gives every service its own identifier for you, so services cannot link your records by it. Your verified identity is the same everywhere.
your-verified-identity = Your verified identity
name = Name
date-of-birth = Date of birth
confirm-your-identity = Confirm your identity
confirm-before-you-send = Before you send your application, GOV.UK One Login needs to confirm your identity. If you have proved it for another service, you will not need to do it again.
identity-not-confirmed = GOV.UK One Login has not confirmed your identity for this service.
send-once-confirmed = You can send your application once GOV.UK One Login has confirmed your identity.
renewal-details = Renewal details
application-details = Application details
full-name = Full name
birth-date-hint = For example, 27 3 1970
address = Address
town-or-city = Town or city
postcode = Postcode
driving-licence-number = Driving licence number
send-application = Send application
refresh-my-details = Refresh my details
sign-out = Sign out

## The page after sending
application-sent = Application sent
your-reference-number = Your reference number
nothing-was-sent = This is a demonstration service: nothing has been sent or stored.
back-to-your-application = Back to your application

## Signing out, and the footer's pages
you-have-signed-out = You have signed out
signed-out-of-both = You have signed out of this service and of GOV.UK One Login.
sign-in-again = Sign in again
go-to-the-start-page = Go to the start page
accessibility-title = Accessibility statement for { $service }
accessibility-design-system = This service is built with the GOV.UK Design System and aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.
accessibility-checked = Its pages, and the GOV.UK One Login pages it sends you to, are checked automatically for accessibility problems, and work without JavaScript and with a keyboard alone.
accessibility-one-login = GOV.UK One Login has its own accessibility statement, linked from its pages.
cookies-title = Cookies on { $service }
cookies-essential = { $service } puts two essential cookies on your device. One keeps you signed in to this service and is deleted when you sign out or after 30 minutes without activity. The other remembers the language you chose, for a year.
cookies-one-login = GOV.UK One Login, where you sign in, sets its own cookie. We do not use analytics or advertising cookies.
privacy-title = Privacy notice for { $service }
privacy-kept = This is a demonstration service. It keeps what GOV.UK One Login shares with it only while you are signed in, and stores nothing after you sign out.
privacy-consent = GOV.UK One Login shares your details with this service only when you agree to it.
feedback-title = Give feedback on { $service }
feedback-new-service = This is a new service. Tell the team that runs it what worked well and what did not.
feedback-one-login = For problems with signing in or proving your identity, give feedback to GOV.UK One Login from its pages.

## Errors
problem-with-the-service = Sorry, there is a problem with the service
start-again = Start again
try-again = Try again
try-again-later = Try again later.
one-login-unreachable = GOV.UK One Login cannot be reached at the moment, so you cannot sign in.
nothing-lost = Try again later. Nothing you entered has been lost.
could-not-confirm-identity = We could not confirm your identity
identity-declined = GOV.UK One Login could not confirm your identity, or you chose not to continue.
apply-by-post = You can still apply by post. You have not been charged.
you-have-not-signed-in = You have not signed in
chose-not-to-share = You chose not to share your details with this service, or stopped signing in.
need-to-sign-in = You need to sign in with GOV.UK One Login to use this service.
could-not-sign-you-in = GOV.UK One Login could not sign you in.
identity-not-to-level = GOV.UK One Login could not confirm your identity to the level this service needs.
session-timed-out = Your session has timed out
session-away = You were away for a while, or your browser does not keep cookies from this service. Nothing you entered has been sent.
session-start-again = To continue, start again. If this keeps happening, make sure cookies are turned on.
page-not-found = Page not found
check-the-address = If you typed the web address, check it is correct.
could-not-check-the-answer = We could not check the answer from GOV.UK One Login.
confirm-before-sending-title = Confirm your identity before you send your application
application-not-sent = Your application has not been sent. This service needs GOV.UK One Login to confirm your identity first.
go-back-to-your-application = Go back to your application

## The application form's messages (issue 15: dates, the date input's messages)
date-at-time = { $date } at { $time } UTC
full-name-missing = Enter your full name
birth-date-missing = Enter your date of birth
birth-date-no-day = Date of birth must include a day
birth-date-no-month = Date of birth must include a month
birth-date-no-year = Date of birth must include a year
birth-date-not-real = Date of birth must be a real date
birth-date-not-in-the-past = Date of birth must be in the past

# Issue 17 §2: the age step (only age_over_18, never the birth date).
your-age = Your age
age-confirmed-18-or-over = GOV.UK One Login confirmed you are 18 or over.
age-under-18 = GOV.UK One Login says you are under 18.
age-no-birth-date-given = It did not tell this service your date of birth.
check-you-are-18-or-over = Check you are 18 or over
you-must-be-18-or-over = You must be 18 or over to apply. GOV.UK One Login can confirm this without telling us your date of birth.
check-my-age = Check my age
