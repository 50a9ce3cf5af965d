# Geiriau'r adrannau enghreifftiol (issue 15), Cymraeg. The same keys as en.ftl (a test checks).

toggle-label = Dewis iaith

## The start page
start-renew-intro = Defnyddiwch y gwasanaeth hwn i adnewyddu eich trwydded yrru cerdyn-llun.
start-renew-sign-in = Byddwch yn mewngofnodi gyda GOV.UK One Login ac yn profi eich hunaniaeth. Os ydych wedi profi eich hunaniaeth ar gyfer gwasanaeth arall y llywodraeth, ni fydd angen i chi wneud hynny eto.
start-renew-filled-in = Byddwn yn llenwi'r ffurflen gyda'ch enw, dyddiad geni, cyfeiriad a rhif trwydded wedi'u gwirio.
start-benefit-intro = Defnyddiwch y gwasanaeth hwn i wneud cais am fudd-dal.
start-benefit-sign-in = Byddwch yn mewngofnodi gyda GOV.UK One Login yn gyntaf. Cyn i chi anfon eich cais, byddwn yn gofyn i GOV.UK One Login gadarnhau eich hunaniaeth.
start-now = Dechrau nawr
continue-your-application = Parhau â'ch cais

## The application page
your-application = Eich cais
success = Llwyddiant
identity-confirmed = Mae GOV.UK One Login wedi cadarnhau eich hunaniaeth.
identity-same-sign-in = Nid oedd rhaid i chi fewngofnodi eto: mae GOV.UK One Login yn rhoi gwybod am y mewngofnodi o'r cam cyn hwn.
identity-signed-in-again = Gofynnodd GOV.UK One Login i chi fewngofnodi eto.
identity-away-reused = Roeddech gyda GOV.UK One Login am { $seconds } eiliad, yn rhy fyr ar gyfer gwiriad hunaniaeth newydd: cafodd eich hunaniaeth wedi'i phrofi ei hailddefnyddio.
identity-away = Roeddech gyda GOV.UK One Login am { $seconds } eiliad.
details-refreshed = Cafodd eich manylion eu hadnewyddu o GOV.UK One Login gyda thocyn adnewyddu, heb fewngofnodi eto.
your-one-login = Eich GOV.UK One Login
identifier-for-this-service = Dynodydd ar gyfer y gwasanaeth hwn
email-address = Cyfeiriad e-bost
how-you-signed-in = Sut y gwnaethoch fewngofnodi
signed-in-with-password-and-code = Cyfrinair a chod diogelwch
signed-in-with-password = Cyfrinair
signed-in-at = Wedi mewngofnodi am
why-a-different-identifier = Pam mae pob gwasanaeth yn gweld dynodydd gwahanol?
why-a-different-identifier-answer = Mae GOV.UK One Login yn rhoi dynodydd ei hun i bob gwasanaeth ar eich cyfer, fel na all gwasanaethau gysylltu eich cofnodion drwyddo. Mae eich hunaniaeth wedi'i gwirio yr un fath ym mhobman.
your-verified-identity = Eich hunaniaeth wedi'i gwirio
name = Enw
date-of-birth = Dyddiad geni
confirm-your-identity = Cadarnhau eich hunaniaeth
confirm-before-you-send = Cyn i chi anfon eich cais, mae angen i GOV.UK One Login gadarnhau eich hunaniaeth. Os ydych wedi'i phrofi ar gyfer gwasanaeth arall, ni fydd angen i chi wneud hynny eto.
identity-not-confirmed = Nid yw GOV.UK One Login wedi cadarnhau eich hunaniaeth ar gyfer y gwasanaeth hwn.
send-once-confirmed = Gallwch anfon eich cais unwaith y bydd GOV.UK One Login wedi cadarnhau eich hunaniaeth.
renewal-details = Manylion adnewyddu
application-details = Manylion y cais
full-name = Enw llawn
birth-date-hint = Er enghraifft, 27 3 1970
address = Cyfeiriad
town-or-city = Tref neu ddinas
postcode = Cod post
driving-licence-number = Rhif trwydded yrru
send-application = Anfon y cais
refresh-my-details = Adnewyddu fy manylion
sign-out = Allgofnodi

## The page after sending
application-sent = Cais wedi'i anfon
your-reference-number = Eich cyfeirnod
nothing-was-sent = Gwasanaeth enghreifftiol yw hwn: nid oes dim wedi'i anfon na'i gadw.
back-to-your-application = Yn ôl i'ch cais

## Signing out, and the footer's pages
you-have-signed-out = Rydych wedi allgofnodi
signed-out-of-both = Rydych wedi allgofnodi o'r gwasanaeth hwn ac o GOV.UK One Login.
sign-in-again = Mewngofnodi eto
go-to-the-start-page = Mynd i'r dudalen gychwyn
accessibility-title = Datganiad hygyrchedd ar gyfer { $service }
accessibility-design-system = Mae'r gwasanaeth hwn wedi'i adeiladu gyda System Ddylunio GOV.UK ac mae'n anelu at fodloni Canllawiau Hygyrchedd Cynnwys y We (WCAG) 2.2 ar lefel AA.
accessibility-checked = Mae ei dudalennau, a thudalennau GOV.UK One Login y mae'n eich anfon iddynt, yn cael eu gwirio'n awtomatig am broblemau hygyrchedd, ac maent yn gweithio heb JavaScript a gyda bysellfwrdd yn unig.
accessibility-one-login = Mae gan GOV.UK One Login ei ddatganiad hygyrchedd ei hun, gyda dolen iddo o'i dudalennau.
cookies-title = Cwcis ar { $service }
cookies-essential = Mae { $service } yn rhoi dau gwci hanfodol ar eich dyfais. Mae un yn eich cadw wedi mewngofnodi i'r gwasanaeth hwn ac yn cael ei ddileu pan fyddwch yn allgofnodi neu ar ôl 30 munud heb weithgarwch. Mae'r llall yn cofio'r iaith a ddewisoch, am flwyddyn.
cookies-one-login = Mae GOV.UK One Login, lle rydych yn mewngofnodi, yn gosod ei gwci ei hun. Nid ydym yn defnyddio cwcis dadansoddi na hysbysebu.
privacy-title = Hysbysiad preifatrwydd ar gyfer { $service }
privacy-kept = Gwasanaeth enghreifftiol yw hwn. Mae'n cadw'r hyn y mae GOV.UK One Login yn ei rannu ag ef dim ond tra byddwch wedi mewngofnodi, ac nid yw'n cadw dim ar ôl i chi allgofnodi.
privacy-consent = Dim ond pan fyddwch yn cytuno y mae GOV.UK One Login yn rhannu eich manylion â'r gwasanaeth hwn.
feedback-title = Rhoi adborth ar { $service }
feedback-new-service = Mae hwn yn wasanaeth newydd. Dywedwch wrth y tîm sy'n ei redeg beth weithiodd yn dda a beth na weithiodd.
feedback-one-login = Os oes problemau gyda mewngofnodi neu brofi eich hunaniaeth, rhowch adborth i GOV.UK One Login o'i dudalennau.

## Errors
problem-with-the-service = Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth
start-again = Dechrau eto
try-again = Rhoi cynnig arall arni
try-again-later = Rhowch gynnig arall arni yn nes ymlaen.
one-login-unreachable = Nid oes modd cysylltu â GOV.UK One Login ar hyn o bryd, felly ni allwch fewngofnodi.
nothing-lost = Rhowch gynnig arall arni yn nes ymlaen. Nid oes dim a roesoch wedi'i golli.
could-not-confirm-identity = Nid oeddem yn gallu cadarnhau eich hunaniaeth
identity-declined = Nid oedd GOV.UK One Login yn gallu cadarnhau eich hunaniaeth, neu fe wnaethoch ddewis peidio â pharhau.
apply-by-post = Gallwch wneud cais drwy'r post o hyd. Nid ydych wedi talu dim.
you-have-not-signed-in = Nid ydych wedi mewngofnodi
chose-not-to-share = Fe wnaethoch ddewis peidio â rhannu eich manylion â'r gwasanaeth hwn, neu stopio mewngofnodi.
need-to-sign-in = Mae angen i chi fewngofnodi gyda GOV.UK One Login i ddefnyddio'r gwasanaeth hwn.
could-not-sign-you-in = Nid oedd GOV.UK One Login yn gallu eich mewngofnodi.
identity-not-to-level = Nid oedd GOV.UK One Login yn gallu cadarnhau eich hunaniaeth i'r lefel sydd ei hangen ar y gwasanaeth hwn.
session-timed-out = Mae eich sesiwn wedi dod i ben
session-away = Roeddech i ffwrdd am ychydig, neu nid yw eich porwr yn cadw cwcis o’r gwasanaeth hwn. Nid oes unrhyw beth a roddwyd gennych wedi cael ei anfon.
session-start-again = I barhau, dechreuwch eto. Os yw hyn yn parhau i ddigwydd, gwnewch yn siŵr bod cwcis wedi’u troi ymlaen.
page-not-found = Heb ddod o hyd i'r dudalen
check-the-address = Os gwnaethoch deipio'r cyfeiriad gwe, gwiriwch ei fod yn gywir.
could-not-check-the-answer = Nid oeddem yn gallu gwirio'r ateb gan GOV.UK One Login.
confirm-before-sending-title = Cadarnhewch eich hunaniaeth cyn i chi anfon eich cais
application-not-sent = Nid yw eich cais wedi'i anfon. Mae angen i GOV.UK One Login gadarnhau eich hunaniaeth yn gyntaf ar gyfer y gwasanaeth hwn.
go-back-to-your-application = Mynd yn ôl i'ch cais

## The application form's messages (issue 15: dates, the date input's messages)
date-at-time = { $date } am { $time } UTC
full-name-missing = Rhowch eich enw llawn
birth-date-missing = Rhowch eich dyddiad geni
birth-date-no-day = Rhaid i'r dyddiad geni gynnwys diwrnod
birth-date-no-month = Rhaid i'r dyddiad geni gynnwys mis
birth-date-no-year = Rhaid i'r dyddiad geni gynnwys blwyddyn
birth-date-not-real = Rhaid i'r dyddiad geni fod yn ddyddiad go iawn
birth-date-not-in-the-past = Rhaid i'r dyddiad geni fod yn y gorffennol

# Issue 17 §2: the age step (only age_over_18, never the birth date).
your-age = Eich oedran
age-confirmed-18-or-over = Mae GOV.UK One Login wedi cadarnhau eich bod yn 18 oed neu’n hŷn.
age-under-18 = Mae GOV.UK One Login yn dweud eich bod o dan 18 oed.
age-no-birth-date-given = Ni ddywedodd wrth y gwasanaeth hwn beth yw eich dyddiad geni.
check-you-are-18-or-over = Gwirio eich bod yn 18 oed neu’n hŷn
you-must-be-18-or-over = Rhaid i chi fod yn 18 oed neu’n hŷn i wneud cais. Gall GOV.UK One Login gadarnhau hyn heb ddweud wrthym beth yw eich dyddiad geni.
check-my-age = Gwirio fy oedran
