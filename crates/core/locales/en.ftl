# English messages. Every key here is in cy.ftl too (a test in crates/provider/src/web/catalogue_check.rs).
# Keys are lowercase words joined by hyphens, starting with the page or component they belong to.

## The GOV.UK layout and components (crates/govuk-assets/src/words.rs lists these keys)
language-code = en
govuk-service-name = One Login
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
govuk-show = Show
govuk-hide = Hide
govuk-show-password = Show password
govuk-hide-password = Hide password
govuk-password-shown = Your password is visible
govuk-password-hidden = Your password is hidden

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

## The pages (crates/provider/templates)
your-gov-uk-one-login = Your GOV.UK One Login
your-account = Your account
email-address = Email address
change = Change
email-address-2 = email address
created = Created
utc = { $created } (UTC)
how-you-sign-in = How you sign in
password-and-authenticator-app = You signed in with your password and authenticator app
password = Password
hidden-for-your-security = Hidden for your security
password-2 = password
authenticator-app = Authenticator app
gives-your-security-codes-when-you = Gives your security codes when you sign in
authenticator-app-2 = authenticator app
your-proven-identity = Your proven identity
proved = Proved
utc-2 = { $proven } (UTC)
shared-with = Shared with
no-service-yet = No service yet
you-have-not-proved-your-identity = You have not proved your identity. A service that needs to know who you are will ask you to, and other services can then reuse it if you agree.
services-you-share-your-details-with = Services you share your details with
you-have-not-used-gov-uk = You have not used GOV.UK One Login with any service yet.
since = Since { $since }
stop-sharing = Stop sharing
with = with { $name }
recent-activity = Recent activity
no-activity-yet = No activity yet.
recent-activity-on-your-gov-uk = Recent activity on your GOV.UK One Login
what-happened = What happened
when-utc = When (UTC)
not-you = Not you?
report-this = Report this
activity = activity: { $what }, { $when }
if-you-do-not-recognise-something = If you do not recognise something here, report it: we will sign you out everywhere else and ask you to change your password.
close-your-account = Close your account
closing-your-gov-uk-one-login = Closing your GOV.UK One Login deletes it, your proven identity and what you agreed to share. Services you used keep their own records.
close-your-gov-uk-one-login = Close your GOV.UK One Login
sign-out = Sign out
set-up-an-authenticator-app = Set up an authenticator app
each-time-you-sign-in-you = Each time you sign in you will enter a security code from an authenticator app as well as your password.
install-an-authenticator-app-on-your = Install an authenticator app on your phone, tablet or computer, if you do not have one.
in-the-app-scan-this-qr = In the app, scan this QR code.
qr-code-to-add-gov-uk = QR code to add GOV.UK One Login to your authenticator app
i-cannot-scan-the-qr-code = I cannot scan the QR code
enter-this-secret-key-in-your = Enter this secret key in your authenticator app instead:
choose-a-time-based-key-if = Choose a time-based key if the app asks.
enter-the-6-digit-security-code = Enter the 6 digit security code shown in your authenticator app
continue = Continue
share-your-details-with = Share your details with { $client_name }
is-asking-gov-uk-one-login = { $client_name } is asking GOV.UK One Login for:
you-can-withdraw-this-later-from = You can withdraw this later from your GOV.UK One Login account page.
agree-and-continue = Agree and continue
do-not-share = Do not share
do-you-want-to-sign-out = Do you want to sign out?
you-will-be-signed-out-of = You will be signed out of your GOV.UK One Login and of the services you used with it.
stay-signed-in = Stay signed in
create-your-gov-uk-one-login = Create your GOV.UK One Login or sign in
you-need-a-gov-uk-one = You need a GOV.UK One Login to use some government services. You can use the same GOV.UK One Login for every service that asks for one.
you-will-need-an-email-address = You will need an email address and an authenticator app on your phone, tablet or computer.
create-your-gov-uk-one-login-2 = Create your GOV.UK One Login
if-you-already-have-a-gov = If you already have a GOV.UK One Login
sign-in = Sign in
find-your-address = Find your address
enter-the-postcode-of-the-address = Enter the postcode of the address where you live now.
postcode = Postcode
for-example-sw1a-2aa = For example, SW1A 2AA
find-address = Find address
choose-your-address = Choose your address
when-you-continue-we-check-your = When you continue we check your details with a fraud prevention agency. This can take a few seconds.
enter-your-details-exactly-as-they = Enter your details exactly as they appear on your UK driving licence
important = Important
we-could-not-match-these-details = We could not match these details to a driving licence.
check-them-against-your-licence-and = Check them against your licence and try again, or
use-a-different-document = use a different document
surname = Surname
section-1-of-your-licence = Section 1 of your licence
first-and-middle-names = First and middle names
section-2-of-your-licence = Section 2 of your licence
date-of-birth = Date of birth
section-3-of-your-licence-for = Section 3 of your licence, for example 27 3 1985
issue-date = Issue date
section-4a-of-your-licence = Section 4a of your licence
valid-until = Valid until
section-4b-of-your-licence = Section 4b of your licence
licence-number = Licence number
section-5-of-your-licence-16 = Section 5 of your licence: 16 characters, like MORGA753116SM9IJ
issue-number = Issue number
the-2-numbers-after-the-licence = The 2 numbers after the licence number, in section 5. Not on Northern Ireland licences.
the-postcode-on-your-licence-section = The postcode on your licence, section 8
go-back-to-the-service = Go back to the service
you-cannot-prove-your-identity-online = You cannot prove your identity online right now
there-have-been-too-many-attempts = There have been too many attempts to prove your identity with these details.
you-can-try-again-online-in = You can try again online in { $wait }.
what-you-can-do-now = What you can do now
go-back-to-the-service-it = Go back to the service. It will tell you other ways to prove your identity, such as at a Post Office.
enter-your-details-exactly-as-they-2 = Enter your details exactly as they appear on your UK passport
we-could-not-match-these-details-2 = We could not match these details to a passport.
check-them-against-your-passport-and = Check them against your passport and try again
passport-number = Passport number
n-9-numbers-at-the-top-of = 9 numbers, at the top of the photo page, like 123456789
as-they-appear-on-your-passport = As they appear on your passport, separated by spaces
for-example-27-3-1985 = For example, 27 3 1985
expiry-date = Expiry date
for-example-27-3-2030 = For example, 27 3 2030
you-have-proved-your-identity = You have proved your identity
you-can-now-continue-to-next = You can now continue to { $service }. Next time a government service asks, you will not need to prove your identity again.
continue-to-the-service = Continue to the service
question-of = Question { $number } of { $total }
answer-from-your-own-records-do = Answer from your own records. Do not guess: a wrong answer counts against you.
you-have-already-proved-your-identity = You have already proved your identity
can-use-the-identity-you-proved = { $service } can use the identity you proved with GOV.UK One Login. Check these are your details:
name = Name
address = Address
these-details-are-wrong-or-have = These details are wrong or have changed
go-back-to-the-service-without = Go back to the service without sharing them. You can prove your identity again with your new details.
go-back-without-sharing = Go back without sharing
prove-your-identity = Prove your identity
needs-to-know-it-is-really = { $service } needs to know it is really you. You only need to do this once: other government services can then use your proven identity, if you agree.
it-takes-about-10-minutes-we = It takes about 10 minutes. We will ask for:
details-from-a-uk-passport-or = details from a UK passport or a UK photocard driving licence
your-home-address = your home address
answers-to-some-questions-that-only = answers to some questions that only you should know
which-photo-id-will-you-use = Which photo ID will you use?
it-can-have-expired-up-to = It can have expired up to 18 months ago.
check-your-email = Check your email
we-have-sent-a-code-to = We have sent a code to:
the-code-expires-after-minutes-if = The code expires after { $ttl_minutes } minutes. If you do not see the email, check your spam folder.
enter-the-6-digit-code = Enter the 6 digit code
not-received-the-email = Not received the email?
send-the-code-again-or-use = Send the code again or use a different email address
enter-your-email-address-to-create = Enter your email address to create your GOV.UK One Login
we-will-send-a-code-to = We will send a code to this address to check it is yours.
already-have-a-gov-uk-one = Already have a GOV.UK One Login?
create-your-password = Create your password
your-password-must-be-at-least = Your password must be at least 8 characters long. A long phrase of everyday words is easy to remember and hard to guess.
confirm-your-password = Confirm your password
enter-the-security-code-shown-in = Enter the security code shown in your authenticator app
this-is-the-6-digit-code = This is the 6 digit code for GOV.UK One Login.
i-do-not-have-access-to = I do not have access to my authenticator app
create-a-new-password = Create a new password
to-keep-your-gov-uk-one = To keep your GOV.UK One Login secure, the GOV.UK One Login team has asked you to replace your password before you carry on.
your-new-password-must-be-at = Your new password must be at least 8 characters long and different from the one you use now. A long phrase of everyday words is easy to remember and hard to guess.
new-password = New password
confirm-your-new-password = Confirm your new password
sign-in-to-your-gov-uk = Sign in to your GOV.UK One Login
forgotten-your-password = Forgotten your password?
no-gov-uk-one-login-yet = No GOV.UK One Login yet?
create-one = Create one
is-the-address-of-a-gov = If { $email } is the address of a GOV.UK One Login, we have sent a code to it.
the-code-works-for-minutes-if = The code works for { $ttl_minutes } minutes. If no email arrives, look in your spam or junk folder.
no-email = No email?
ask-for-a-new-code-or = Ask for a new code, or check the email address you gave
the-address-you-use-to-sign = The address you use to sign in to GOV.UK One Login. We will email a code to it.
choose-a-new-password = Choose a new password
use-at-least-8-characters-and = Use at least 8 characters, and not the password you had. Several everyday words together make a password that is easy to remember and hard to guess.
type-the-new-password-again = Type the new password again
enter-your-password = Enter your password
to-get-a-new-authenticator-app = To get a new authenticator app, first enter the password of your GOV.UK One Login.
check-them-against-your-passport-or = Check them against your passport and try again, or
identity-tries-left = You have { $count ->
    [one] 1 try
   *[other] { $count } tries
} left.

## Words the code composes, found by their English (Language::from_english)
msg-sorry-there-is-a-problem-with = Sorry, there is a problem with what was sent
msg-the-form-could-not-be-read = The form could not be read. Go back, check what you entered and try again.
msg-go-to-the-start-of-the = Go to the start of the service
msg-your-session-has-timed-out = Your session has timed out
msg-you-were-away-for-a-while = You were away for a while, or your browser does not keep cookies from this service. We have not saved your answers.
msg-to-continue-start-again-if-this = To continue, start again. If this keeps happening, make sure cookies are turned on.
msg-start-again = Start again
msg-sorry-that-form-has-expired = Sorry, that form has expired
msg-the-form-was-out-of-date = The form was out of date, or was not sent from this service. We have not acted on it.
msg-too-many-attempts = Too many attempts
msg-page-not-found = Page not found
msg-if-you-typed-the-web-address = If you typed the web address, check it is correct.
msg-if-you-pasted-the-web-address = If you pasted the web address, check you copied the entire address.
msg-sorry-the-service-is-unavailable = Sorry, the service is unavailable
msg-you-will-be-able-to-use = You will be able to use the service again shortly. We have not lost any of your saved details.
msg-try-again = Try again
msg-sorry-there-is-a-problem-with-2 = Sorry, there is a problem with the service
msg-try-again-later-we-have-not = Try again later. We have not lost any of your saved details.
msg-you-have-signed-out = You have signed out
msg-you-have-signed-out-of-your = You have signed out of your GOV.UK One Login and the services you used with it.
msg-sign-in-again = Sign in again
msg-sorry-there-is-a-problem-with-3 = Sorry, there is a problem with the service you came from
msg-go-back-to-the-service-and = Go back to the service and try again. If it keeps happening, contact that service.
msg-go-to-gov-uk-one-login = Go to GOV.UK One Login
msg-a-unique-reference-for-you-that = A unique reference for you that only this service gets
msg-your-email-address = Your email address
msg-your-phone-number = Your phone number
msg-access-to-these-details-while-you = Access to these details while you are not signed in, until you withdraw it
msg-your-verified-name-and-date-of = Your verified name and date of birth
msg-your-address = Your address
msg-your-passport-details = Your passport details
msg-your-driving-licence-details = Your driving licence details
msg-whether-you-are-over-16 = Whether you are over 16
msg-whether-you-are-over-18 = Whether you are over 18
msg-whether-you-are-over-21 = Whether you are over 21
msg-a-code-saying-why-your-identity = A code saying why your identity could not be confirmed, if it could not
msg-the-service-you-came-from-is = The service you came from is no longer registered.
msg-you-entered-the-wrong-code-too = You entered the wrong code too many times
msg-for-your-security-that-code-no = For your security, that code no longer works.
msg-get-a-new-code = Get a new code
msg-you-already-have-a-gov-uk = You already have a GOV.UK One Login
msg-there-is-already-a-gov-uk = There is already a GOV.UK One Login for this email address.
msg-your-password-must-be-256-characters = Your password must be 256 characters or fewer
msg-the-password-is-not-correct = The password is not correct
msg-you-cannot-sign-in-at-the = You cannot sign in at the moment
msg-you-entered-the-wrong-password-or = You entered the wrong password or security code too many times.
msg-you-can-try-again-now = You can try again now.
msg-for-your-security-you-cannot-sign = For your security, you cannot sign in for a while. Try again later.
msg-incorrect-email-address-or-password = Incorrect email address or password
msg-enter-your-email-address = Enter your email address
msg-the-security-code-you-entered-is = The security code you entered is not correct. Check your authenticator app and try again
msg-your-new-password-must-be-different = Your new password must be different from your current password
msg-sorry-that-did-not-work = Sorry, that did not work
msg-this-address-does-not-accept-that = This address does not accept that kind of request.
msg-enter-the-code = Enter the code
msg-enter-the-code-which-is-6 = Enter the code, which is 6 digits
msg-the-code-you-entered-is-not = The code you entered is not correct. You have 1 more try before the code stops working
msg-the-code-you-entered-is-not-2 = The code you entered is not correct. You have 2 more tries before the code stops working
msg-the-code-you-entered-is-not-3 = The code you entered is not correct. Check the email and try again
msg-the-code-has-expired-ask-for = The code has expired. Ask for a new code
msg-enter-the-security-code = Enter the security code
msg-enter-the-security-code-which-is = Enter the security code, which is 6 digits
msg-the-security-code-is-not-correct = The security code is not correct. Check your authenticator app and enter the code it shows now
msg-enter-a-password = Enter a password
msg-your-password-must-be-at-least = Your password must be at least 8 characters long
msg-enter-a-stronger-password-do-not = Enter a stronger password. Do not use very common passwords, such as ‘password’ or a sequence of numbers
msg-re-type-your-password = Re-type your password
msg-enter-the-same-password-in-both = Enter the same password in both fields
msg-your-email-address-must-be-256 = Your email address must be 256 characters or fewer
msg-enter-an-email-address-in-the = Enter an email address in the correct format, like name@example.com
msg-your-gov-uk-one-login-is = Your GOV.UK One Login is suspended
msg-your-gov-uk-one-login-is-2 = Your GOV.UK One Login is blocked
msg-contact-the-gov-uk-one-login = Contact the GOV.UK One Login team
msg-accessibility-statement-for-gov-uk-one = Accessibility statement for GOV.UK One Login
msg-cookies-on-gov-uk-one-login = Cookies on GOV.UK One Login
msg-we-do-not-use-analytics-or = We do not use analytics or advertising cookies.
msg-privacy-notice-for-gov-uk-one = Privacy notice for GOV.UK One Login
msg-reset-your-password = Reset your password
msg-go-back-to-sign-in = Go back to sign in
msg-select-your-address = Select your address
msg-you-have-not-proved-your-identity = You have not proved your identity
msg-you-can-go-back-to-the = You can go back to the service now. It will tell you what else you can do.
msg-we-could-not-confirm-your-identity = We could not confirm your identity
msg-we-could-not-match-the-details = We could not match the details you gave with the records we checked.
msg-go-back-to-the-service-to = Go back to the service to find out other ways to prove your identity, such as at a Post Office.
msg-i-do-not-have-either-of = I do not have either of these
msg-uk-passport = UK passport
msg-uk-photocard-driving-licence = UK photocard driving licence
msg-select-the-photo-id-you-will = Select the photo ID you will use
msg-select-an-answer = Select an answer
msg-enter-your-passport-number = Enter your passport number
msg-your-passport-number-should-be-9 = Your passport number should be 9 numbers, like 123456789
msg-enter-a-uk-postcode-like-sw1a = Enter a UK postcode, like SW1A 2AA
msg-go-to-your-account = Go to your account

## Emails (crates/core/src/accounts/emails.rs)
email-code-subject = Your GOV.UK One Login security code
email-sign-up-code =
    Your code to create a GOV.UK One Login is:

    { $code }

    The code expires in { $minutes } minutes.

    If you did not ask for this code, you can ignore this email. Do not share the code with anyone.
email-account-exists-subject = You already have a GOV.UK One Login
email-account-exists =
    Someone tried to create a GOV.UK One Login with this email address, but you already have one.

    To sign in, go to { $url }

    If this was not you, you do not need to do anything.
email-reset-password-code =
    Your code to reset the password of your GOV.UK One Login is:

    { $code }

    The code expires in { $minutes } minutes.

    If you did not ask for this code, someone may have typed your email address by mistake: you do not need to do anything. Do not share the code with anyone.
email-new-app-code =
    Your code to set up a new authenticator app for your GOV.UK One Login is:

    { $code }

    The code expires in { $minutes } minutes.

    If you did not ask for this code, someone may have typed your email address by mistake: you do not need to do anything. Do not share the code with anyone.
email-no-account-subject = GOV.UK One Login: no account for this email address
email-no-account =
    Someone asked to get back into a GOV.UK One Login with this email address, but there is no GOV.UK One Login for it.

    If you use another email address to sign in, try again with that one. To create a GOV.UK One Login, go to { $url }

    If this was not you, you do not need to do anything.
email-password-reset-subject = Your GOV.UK One Login password was changed
email-password-reset =
    The password of your GOV.UK One Login was changed on { $when } (UTC).

    For your security, you were signed out everywhere else, and services you use will ask you to sign in again.

    If you did not do this, someone else may know your password and be able to read your email: change the password of your email account, then reset your GOV.UK One Login password.
email-app-replaced-subject = Your GOV.UK One Login authenticator app was changed
email-app-replaced =
    The authenticator app of your GOV.UK One Login was changed on { $when } (UTC).

    For your security, you were signed out everywhere else, and services you use will ask you to sign in again.

    If you did not do this, someone else may know your password and be able to read your email: change the password of your email account, then reset your GOV.UK One Login password.
email-passkey-added-subject = A passkey was added to your GOV.UK One Login
email-passkey-added =
    A passkey called “{ $name }” was added to your GOV.UK One Login on { $when } (UTC). It can sign in on its own, without your password.

    For your security, you were signed out everywhere else, and services you use will ask you to sign in again.

    If you did not do this, someone else may be using your GOV.UK One Login: sign in, remove the passkey and change your password.
email-passkey-removed-subject = A passkey was removed from your GOV.UK One Login
email-passkey-removed =
    The passkey called “{ $name }” was removed from your GOV.UK One Login on { $when } (UTC). It can no longer sign in.

    For your security, you were signed out everywhere else, and services you use will ask you to sign in again.

    If you did not do this, someone else may be using your GOV.UK One Login: sign in and change your password.
email-notice =
    { $what }

    This happened on { $when } (UTC).

    If this was not you, someone else may be using your GOV.UK One Login. Sign in and change your password, or contact the GOV.UK One Login team.
email-new-address-code =
    Your code to make this the email address of your GOV.UK One Login is:

    { $code }

    The code expires in { $minutes } minutes.

    If you did not ask for this, you can ignore this email. Do not share the code with anyone.
email-address-taken-subject = This email address already has a GOV.UK One Login
email-address-taken =
    Someone asked to move another GOV.UK One Login to this email address, but this address already has its own GOV.UK One Login, so it cannot be used.

    If this was not you, you do not need to do anything.
msg-your-gov-uk-one-login-email-address-has = Your GOV.UK One Login email address has changed
msg-the-email-address-of-your-gov = The email address of your GOV.UK One Login was changed. We will not send email to this address any more.
msg-this-is-now-your-gov-uk = This is now your GOV.UK One Login email address
msg-you-now-sign-in-to-gov = You now sign in to GOV.UK One Login with this email address.
msg-your-gov-uk-one-login-is-closed = Your GOV.UK One Login is closed
msg-your-gov-uk-one-login-was-closed = Your GOV.UK One Login was closed and its details deleted.
msg-your-gov-uk-one-login-password-has = Your GOV.UK One Login password has changed
msg-the-password-of-your-gov-uk = The password of your GOV.UK One Login was changed, and every other sign-in was ended.
msg-your-gov-uk-one-login-authenticator-app = Your GOV.UK One Login authenticator app has changed
msg-a-new-authenticator-app-was-set = A new authenticator app was set up for your GOV.UK One Login. The old app's codes no longer work, and every other sign-in was ended.

## Plain words on the account page (issue 15)
account-identity-proved = You have proved your identity.
account-documents-used = Documents and checks used
msg-uk-driving-licence = UK driving licence
msg-fraud-prevention-check = Fraud prevention check
msg-questions-about-your-records = Questions about your records

## Words the account, recovery and information pages compose (Language::from_english)
msg-cancel-and-go-back-to-your = Cancel and go back to your account
msg-enter-your-password-to-continue = Enter your password to continue
msg-you-signed-in-more-than-15 = You signed in more than 15 minutes ago. To keep your account safe, enter your password before you change how you sign in.
msg-change-your-email-address = Change your email address
msg-we-will-send-a-code-to = We will send a code to the new address to check it is yours. Until you enter it, nothing changes.
msg-new-email-address = New email address
msg-enter-an-email-address-that-is = Enter an email address that is different from the one you use now
msg-the-code-is-in-the-email = The code is in the email.
msg-use-another-email-address-or-get = Use another email address or get a new code
msg-for-your-security-that-code-no-2 = For your security, that code no longer works. Your email address has not changed.
msg-you-cannot-use-that-email-address = You cannot use that email address
msg-that-email-address-belongs-to-another = That email address belongs to another GOV.UK One Login. Your email address has not changed.
msg-use-another-email-address = Use another email address
msg-at-least-8-characters-and-not = At least 8 characters, and not one that is often used. A long phrase of everyday words is easy to remember and hard to guess.
msg-change-your-password = Change your password
msg-when-you-change-your-password-we = When you change your password, we sign you out of GOV.UK One Login on every other device.
msg-current-password = Current password
msg-change-your-authenticator-app = Change your authenticator app
msg-first-enter-a-code-from-the = First enter a code from the authenticator app you use now. Then you will set up the new one.
msg-security-code-from-your-current-authenticator = Security code from your current authenticator app
msg-i-do-not-have-my-current = I do not have my current authenticator app
msg-the-security-code-is-not-correct-2 = The security code is not correct. Check your authenticator app and try again
msg-the-security-code-is-not-correct-3 = The security code is not correct. Check your new authenticator app and enter the code it shows now
msg-if-you-close-your-gov-uk = If you close your GOV.UK One Login, we delete it: your email address, password and authenticator app, your proven identity and the evidence behind it, and what you agreed to share with services.
msg-every-service-you-signed-in-to = Every service you signed in to with it is told you have signed out. Services keep their own records of what you did with them.
msg-you-can-create-a-new-gov = You can create a new GOV.UK One Login later, even with the same email address, but you would need to prove your identity again.
msg-enter-your-password-to-close-your = Enter your password to close your GOV.UK One Login
msg-you-cannot-undo-this = You cannot undo this.
msg-close-my-gov-uk-one-login = Close my GOV.UK One Login
msg-we-have-deleted-your-gov-uk = We have deleted your GOV.UK One Login and signed you out of it everywhere.
msg-we-have-sent-an-email-to = We have sent an email to confirm this.
msg-go-to-the-start-of-gov = Go to the start of GOV.UK One Login
msg-report-activity-you-do-not-recognise = Report activity you do not recognise
msg-we-will-sign-you-out-of = We will sign you out of GOV.UK One Login on every other device and stop every service you use from acting for you until you sign in to it again. Then we will ask you to change your password.
msg-report-it-and-secure-my-account = Report it and secure my account
msg-we-have-signed-you-out-of = We have signed you out of GOV.UK One Login on your other devices, and services you used will ask you to sign in again.
msg-you-have-changed-your-email-address = You have changed your email address
msg-you-have-changed-your-password = You have changed your password
msg-use-your-new-password-next-time = Use your new password next time you sign in.
msg-you-have-changed-your-authenticator-app = You have changed your authenticator app
msg-use-the-codes-from-your-new = Use the codes from your new app when you sign in. The old app's codes no longer work: you can remove GOV.UK One Login from it.
msg-we-have-secured-your-gov-uk = We have secured your GOV.UK One Login
msg-now-change-your-password-so-that = Now change your password, so that whoever did this cannot sign in again.
msg-the-gov-uk-one-login-team = The GOV.UK One Login team has suspended your account for now. While it is suspended you cannot use it to sign in to any service.
msg-the-gov-uk-one-login-team-2 = The GOV.UK One Login team has blocked your account. You cannot use it to sign in to any service again.
msg-to-find-out-why-or-what = To find out why, or what you can do, contact the GOV.UK One Login team. Tell them the email address you signed in with.
msg-this-service-is-built-with-the = This service is built with the GOV.UK Design System and aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.
msg-every-page-works-without-javascript-with = Every page works without JavaScript, with a keyboard alone, with a screen reader, and zoomed to 400%. Each page is checked automatically for accessibility problems before it is released.
msg-if-you-find-a-part-of = If you find a part of this service hard to use, tell the team that runs it.
msg-gov-uk-one-login-puts-one = GOV.UK One Login puts one essential cookie on your device. It keeps you signed in and protects the forms you send from misuse by other websites. It is deleted when you sign out or your session ends.
msg-we-keep-your-email-address-a = We keep your email address, a secure hash of your password and the key of your authenticator app, so you can sign in.
msg-we-keep-a-record-of-sign = We keep a record of sign-ins and other account activity, which you can see on your account page, to protect your account.
msg-we-share-information-with-a-government = We share information with a government service only when you choose to use that service with your GOV.UK One Login.
msg-enter-the-email-address-of-your = Enter the email address of your GOV.UK One Login. We will email you a code, then you can choose a new password.
msg-get-a-new-authenticator-app = Get a new authenticator app
msg-if-you-no-longer-have-the = If you no longer have the authenticator app you set up, you can set up a new one. We will email you a code, then ask for your password.
msg-if-you-have-proved-your-identity = If you have proved your identity with GOV.UK One Login, we will also ask you to prove it again, so that no one else can take over your account.
msg-choose-a-password-that-is-different = Choose a password that is different from your current one
msg-you-have-proved-your-identity-with = You have proved your identity with GOV.UK One Login. Before you set up a new authenticator app, prove it again with your UK passport.
msg-we-could-not-confirm-it-is = We could not confirm it is you
msg-the-passport-you-gave-is-not = The passport you gave is not of the person who proved their identity with this GOV.UK One Login, so we cannot set up a new authenticator app.
msg-your-account-its-proven-identity-and = Your account, its proven identity and its authenticator app have not changed. If you find the app, you can sign in as usual.
msg-if-you-have-lost-it-for = If you have lost it for good, contact the GOV.UK One Login team. They will ask you to prove your identity another way, such as at a Post Office.
msg-there-have-been-too-many-attempts = There have been too many attempts to prove the identity of this GOV.UK One Login.
msg-enter-the-number-from-section-5 = Enter the number from section 5 of your licence
msg-your-licence-number-should-be-16 = Your licence number should be 16 characters (or 8 numbers for Northern Ireland)
msg-enter-the-2-numbers-of-the = Enter the 2 numbers of the issue number, from section 4c of your licence
msg-sorry-there-is-a-problem-with-4 = Sorry, there is a problem with the service.

## The account page's activity list (one_login_store::AuditKind::describe)
activity-account-created = Account created
activity-signed-in = Signed in
activity-sign-in-attempt-failed = Sign-in attempt failed
activity-sign-in-paused-after-too-many = Sign-in paused after too many wrong passwords or codes
activity-signed-out = Signed out
activity-identity-proved = Identity proved
activity-proven-identity-shared-with-a-service = Proven identity shared with a service
activity-identity-details-given-to-a-service = Identity details given to a service
activity-email-address-changed = Email address changed
activity-password-changed = Password changed
activity-authenticator-app-changed = Authenticator app changed
activity-activity-reported-as-not-recognised = Activity reported as not recognised
activity-account-closed = Account closed
activity-password-reset-asked-for = Password reset asked for
activity-password-reset = Password reset
activity-authenticator-app-replaced = Authenticator app replaced
activity-authenticator-app-not-replaced-the-identity = Authenticator app not replaced: the identity proved was someone else's
activity-account-suspended-by-the-gov-uk = Account suspended by the GOV.UK One Login team
activity-suspension-lifted-by-the-gov-uk = Suspension lifted by the GOV.UK One Login team
activity-account-blocked-by-the-gov-uk = Account blocked by the GOV.UK One Login team
activity-new-password-required-by-the-gov = New password required by the GOV.UK One Login team
activity-new-proof-of-identity-required-by = New proof of identity required by the GOV.UK One Login team
activity-account-deleted = Account deleted
activity-new-password-chosen = New password chosen

## Error pages (issue 16)
quote-this-reference = If you contact us about this, quote this reference:

# Issue 17 §3: the proven identity in a wallet.
wallet-add-your-identity = Add your proven identity to a wallet
wallet-what-it-is = A digital wallet app can hold your proven identity as a credential signed by GOV.UK One Login. When a service asks, you choose what to share from it: for example only that you are over 18, without your name or date of birth.
wallet-open-your-wallet-app = Open your wallet app on your phone.
wallet-scan-this-qr-code = Scan this QR code, or open the link below on the phone that has the wallet.
wallet-qr-code-alt = QR code offering your proven identity to a wallet app
wallet-open-in-your-wallet-app = Open in your wallet app
wallet-offer-works-once = This offer works once, within 5 minutes. If it runs out, come back to your account and ask for a new one.
wallet-back-to-your-account = Back to your account
wallet-add-to-a-wallet = Add it to a wallet app
wallet-not-proven = You need to prove your identity before you can add it to a wallet.

## sentences the code composes around values (issue 15)
duration-minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
duration-hours = { $count ->
    [one] 1 hour
   *[other] { $count } hours
}
date-at-time = { $date } at { $time }
time-am = am
time-pm = pm
time-unknown = unknown
too-many-attempts-wait = There have been too many attempts from your internet connection. Wait { $wait } and try again.
cannot-sign-in-for = For your security, you cannot sign in for { $wait }. Try again after that.
go-back-to-named-service = Go back to { $service }
your-email-address-is = Your email address is { $email }.
we-have-sent-a-code-to-it-expires = We have sent a code to { $email }. It expires in { $minutes } minutes.
you-are-reporting = You are reporting: { $event }, on { $time } (UTC).
you-now-sign-in-with = You now sign in with { $email }.
you-can-try-again-in-app-unchanged = You can try again in { $wait }. Your authenticator app has not changed.
evidence-checked-on = { $what }, checked { $time }
service-last-on = { $service }, last on { $time }
problem-enter-your = Enter your { $what }
problem-name-too-long = Your { $what } must be 30 characters or fewer
problem-name-characters = Your { $what } can only include letters, spaces, hyphens and apostrophes
problem-date-not-real = Your { $what } must be a real date, like 27 3 2007
problem-date-year-digits = The year of your { $what } must have 4 numbers
problem-date-in-future = Your { $what } must be in the past
problem-date-over-120-years = Your { $what } must be within the last 120 years
problem-date-over-10-years = Your { $what } must be within the last 10 years
problem-postcode-not-real = Enter a real postcode, like SW1A 2AA
problem-no-addresses-at-postcode = We could not find any addresses for { $postcode }. Check the postcode and try again
field-surname = surname
field-given-names = first and middle names
field-birth-date = date of birth
field-passport-expiry-date = passport’s expiry date
field-licence-issue-date = licence’s issue date
field-licence-expiry-date = licence’s expiry date
field-postcode = postcode
msg-youve-chosen-not-to-share = You’ve chosen not to share your details
we-have-not-shared-your-details-with = We have not shared any of your details with { $service }.
to-use-service-you-need-to-share = To use { $service } online, you need to share your details with it. You can start again from the service at any time.
msg-the-service-sent-a-request-that = The service sent a request that GOV.UK One Login could not read.

## the address typed by hand (issue 15)
my-address-is-not-listed = My address is not listed
enter-your-address = Enter your address
an-address-you-enter-is-not-checked = We cannot check an address you enter yourself against the address register, so it will not help to prove your identity.
address-line-1 = Address line 1
address-line-2-optional = Address line 2 (optional)
town-or-city = Town or city
problem-enter-address-line-1 = Enter the first line of your address
problem-enter-town = Enter your town or city
problem-address-line-too-long = Each line of your address must be 100 characters or fewer
problem-address-characters = Your address can only include letters, numbers, spaces and punctuation
msg-your-address-as-you-entered-it = Your address, as you entered it (not checked)

## Passkeys (issue 17 §1: web::pages::passkeys, accounts::passkeys)
passkeys-title = Passkeys
passkeys-what = A passkey lets you sign in with your phone, computer or security key, using its screen lock (your fingerprint, face or PIN) instead of your password and security code. It only works on this website, so a fake website cannot trick you into giving it away.
passkeys-needs-javascript = Creating or using a passkey needs JavaScript turned on in your browser. Without it, you can still sign in with your password and authenticator app.
passkeys-none-yet = You have not added a passkey yet.
passkeys-added = Added { $when }
passkeys-last-used = Last used { $when }
passkeys-not-used-yet = Not used yet
passkeys-remove = Remove
passkeys-add-heading = Add a passkey
passkeys-name = Name this passkey
passkeys-name-hint = So you can tell your passkeys apart, for example ‘Work laptop’ or ‘My phone’.
passkeys-create = Create a passkey
passkeys-at-most = You have 10 passkeys, the most you can have. Remove one to add another.
passkeys-back-to-account = Go back to your account
passkeys-summary = Sign in with your device’s screen lock instead of a password and code
passkeys-manage = Manage
passkeys-manage-hidden = passkeys
passkeys-sign-in-heading = Sign in with a passkey
passkeys-sign-in-hint = If you have added a passkey to your GOV.UK One Login, you can use it instead of your email address, password and security code. Passkeys need JavaScript turned on in your browser.
passkeys-sign-in-button = Sign in with a passkey
passkeys-instead-heading = Use a passkey instead
passkeys-instead-hint = You can use a passkey you have added instead of a security code. Passkeys need JavaScript turned on in your browser.
passkeys-instead-button = Use a passkey
msg-passkey-enter-a-name = Enter a name for your passkey
msg-passkey-name-too-long = The name of your passkey must be 50 characters or fewer
msg-passkey-name-special = The name of your passkey must not contain special characters
msg-passkey-not-sent = Your browser did not send a passkey. Passkeys need JavaScript: check it is turned on, then try again. You can always sign in with your password and authenticator app.
msg-passkey-refused = We could not check that passkey. Try again, or sign in with your password and authenticator app.
msg-passkey-not-added = We could not add that passkey. Try again, or use another device.
msg-passkey-already-added = That passkey is already set up.
msg-passkey-too-many = You already have 10 passkeys. Remove one you no longer use before you add another.
activity-passkey-added = Passkey added
activity-passkey-removed = Passkey removed

## Feedback (issue 15: web::pages::feedback, core::feedback). The character count's words for
## govuk-frontend keep its %{count} placeholder, written as a Fluent string literal.
feedback-heading = Give feedback on GOV.UK One Login
feedback-intro = This is a new service. Tell us what worked well and what did not, so that we can improve it.
feedback-topic-legend = What would you like to tell us about?
feedback-topic-creating-account = Creating a GOV.UK One Login
feedback-topic-signing-in = Signing in
feedback-topic-proving-identity = Proving your identity
feedback-topic-your-account = Managing your GOV.UK One Login
feedback-topic-something-else = Something else
feedback-text-label = Tell us about your experience
feedback-text-hint = Do not include personal information, like your passport number, date of birth or password.
feedback-count-limit = You can enter up to 1,200 characters
feedback-count-under-limit-one = You have {"%{count}"} character remaining
feedback-count-under-limit-other = You have {"%{count}"} characters remaining
feedback-count-at-limit = You have 0 characters remaining
feedback-count-over-limit-one = You have {"%{count}"} character too many
feedback-count-over-limit-other = You have {"%{count}"} characters too many
feedback-count-description = You can enter up to {"%{count}"} characters
feedback-reply-legend = Do you want a reply?
feedback-reply-yes = Yes
feedback-reply-no = No
feedback-email-label = Email address (if you want a reply)
feedback-email-hint = We will only use it to reply to your feedback.
feedback-send = Send feedback
msg-select-what-your-feedback-is = Select what your feedback is about
msg-enter-your-feedback = Enter your feedback
msg-your-feedback-must-be-1200 = Your feedback must be 1,200 characters or fewer
msg-thank-you-for-your-feedback = Thank you for your feedback
msg-we-will-use-it-to-improve = We will use it to improve GOV.UK One Login.
msg-if-you-asked-for-a-reply = If you asked for a reply, we will email you.
msg-return-to-where-you-were = Return to where you were
msg-we-keep-feedback-you-send = We keep feedback you send for a year. We keep your email address with it only if you ask for a reply, and remove it if you delete your GOV.UK One Login.

## The simulated credit reference agency's questions and answers, written in English by
## crates/identity-proofing and found here by their English (Language::from_english)
kbv-bank = Which of these banks or building societies do you have a current account with?
kbv-loan = Which of these companies have you had a loan or credit card with in the last 3 years?
kbv-phone = Which of these companies is your mobile phone contract with?
kbv-mortgage = How much is your monthly mortgage payment?
kbv-energy = Which of these companies supplies your gas or electricity?
kbv-car-finance = Which of these companies have you had car finance with in the last 5 years?
kbv-none-of-these = None of these
kbv-no-mortgage = I do not have a mortgage
kbv-mortgage-up-to-400 = Up to £400
kbv-mortgage-401-to-700 = £401 to £700
kbv-mortgage-701-to-1000 = £701 to £1,000
kbv-mortgage-over-1000 = Over £1,000
the-service = The service
