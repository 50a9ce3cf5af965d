# Negeseuon Cymraeg. Mae pob allwedd yma hefyd yn en.ftl (prawf yn crates/provider/src/web/catalogue_check.rs).
# Where GOV.UK publishes Welsh wording for a pattern, it is used as published.

## The GOV.UK layout and components
language-code = cy
govuk-service-name = One Login
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
govuk-show = Dangos
govuk-hide = Cuddio
govuk-show-password = Dangos cyfrinair
govuk-hide-password = Cuddio cyfrinair
govuk-password-shown = Mae eich cyfrinair yn weladwy
govuk-password-hidden = Mae eich cyfrinair wedi’i guddio

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

## The pages (crates/provider/templates)
your-gov-uk-one-login = Eich GOV.UK One Login
your-account = Eich cyfrif
email-address = Cyfeiriad e-bost
change = Newid
email-address-2 = cyfeiriad e-bost
created = Crëwyd
utc = { $created } (UTC)
how-you-sign-in = Sut rydych yn mewngofnodi
password-and-authenticator-app = Gwnaethoch fewngofnodi gyda’ch cyfrinair a’ch ap dilysu
password = Cyfrinair
hidden-for-your-security = Wedi'i guddio er eich diogelwch
password-2 = cyfrinair
authenticator-app = Ap dilysu
gives-your-security-codes-when-you = Yn rhoi eich codau diogelwch pan fyddwch yn mewngofnodi
authenticator-app-2 = ap dilysu
your-proven-identity = Eich hunaniaeth wedi'i phrofi
proved = Profwyd
utc-2 = { $proven } (UTC)
shared-with = Wedi ei rhannu gyda
no-service-yet = Dim gwasanaeth eto
you-have-not-proved-your-identity = Nid ydych wedi profi eich hunaniaeth. Bydd gwasanaeth sydd angen gwybod pwy ydych yn gofyn i chi wneud hynny, a gall gwasanaethau eraill wedyn ei hailddefnyddio os ydych yn cytuno.
services-you-share-your-details-with = Gwasanaethau rydych yn rhannu eich manylion â nhw
you-have-not-used-gov-uk = Nid ydych wedi defnyddio GOV.UK One Login gydag unrhyw wasanaeth eto.
since = Ers { $since }
stop-sharing = Stopio rhannu
with = gyda { $name }
recent-activity = Gweithgarwch diweddar
no-activity-yet = Dim gweithgarwch eto.
recent-activity-on-your-gov-uk = Gweithgarwch diweddar ar eich GOV.UK One Login
what-happened = Beth ddigwyddodd
when-utc = Pryd (UTC)
not-you = Nid chi?
report-this = Rhoi gwybod am hyn
activity = gweithgarwch: { $what }, { $when }
if-you-do-not-recognise-something = Os nad ydych yn adnabod rhywbeth yma, rhowch wybod i ni: byddwn yn eich allgofnodi ym mhob man arall ac yn gofyn i chi newid eich cyfrinair.
close-your-account = Cau eich cyfrif
closing-your-gov-uk-one-login = Mae cau eich GOV.UK One Login yn ei ddileu, ynghyd â'ch hunaniaeth wedi'i phrofi a'r hyn y gwnaethoch gytuno i'w rannu. Mae gwasanaethau a ddefnyddiwyd gennych yn cadw eu cofnodion eu hunain.
close-your-gov-uk-one-login = Cau eich GOV.UK One Login
sign-out = Allgofnodi
set-up-an-authenticator-app = Sefydlu ap dilysu
each-time-you-sign-in-you = Bob tro y byddwch yn mewngofnodi, byddwch yn rhoi cod diogelwch o ap dilysu yn ogystal â'ch cyfrinair.
install-an-authenticator-app-on-your = Gosodwch ap dilysu ar eich ffôn, llechen neu gyfrifiadur, os nad oes gennych un.
in-the-app-scan-this-qr = Yn yr ap, sganiwch y cod QR hwn.
qr-code-to-add-gov-uk = Cod QR i ychwanegu GOV.UK One Login at eich ap dilysu
i-cannot-scan-the-qr-code = Nid wyf yn gallu sganio'r cod QR
enter-this-secret-key-in-your = Rhowch yr allwedd gyfrinachol hon yn eich ap dilysu yn lle hynny:
choose-a-time-based-key-if = Dewiswch allwedd sy'n seiliedig ar amser os bydd yr ap yn gofyn.
enter-the-6-digit-security-code = Rhowch y cod diogelwch 6 digid a ddangosir yn eich ap dilysu
continue = Parhau
share-your-details-with = Rhannu eich manylion gyda { $client_name }
is-asking-gov-uk-one-login = Mae { $client_name } yn gofyn i GOV.UK One Login am:
you-can-withdraw-this-later-from = Gallwch dynnu hyn yn ôl yn nes ymlaen o dudalen cyfrif eich GOV.UK One Login.
agree-and-continue = Cytuno a pharhau
do-not-share = Peidio â rhannu
do-you-want-to-sign-out = Ydych chi eisiau allgofnodi?
you-will-be-signed-out-of = Byddwch yn cael eich allgofnodi o'ch GOV.UK One Login ac o'r gwasanaethau a ddefnyddiwyd gennych gydag ef.
stay-signed-in = Aros wedi mewngofnodi
create-your-gov-uk-one-login = Creu eich GOV.UK One Login neu fewngofnodi
you-need-a-gov-uk-one = Mae angen GOV.UK One Login arnoch i ddefnyddio rhai gwasanaethau'r llywodraeth. Gallwch ddefnyddio'r un GOV.UK One Login ar gyfer pob gwasanaeth sy'n gofyn am un.
you-will-need-an-email-address = Bydd angen cyfeiriad e-bost ac ap dilysu ar eich ffôn, llechen neu gyfrifiadur arnoch.
create-your-gov-uk-one-login-2 = Creu eich GOV.UK One Login
if-you-already-have-a-gov = Os oes gennych GOV.UK One Login yn barod
sign-in = Mewngofnodi
find-your-address = Dod o hyd i’ch cyfeiriad
enter-the-postcode-of-the-address = Rhowch god post y cyfeiriad lle rydych yn byw nawr.
postcode = Cod post
for-example-sw1a-2aa = Er enghraifft, SW1A 2AA
find-address = Dod o hyd i gyfeiriad
choose-your-address = Dewiswch eich cyfeiriad
when-you-continue-we-check-your = Pan fyddwch yn parhau, byddwn yn gwirio eich manylion gydag asiantaeth atal twyll. Gall hyn gymryd ychydig eiliadau.
enter-your-details-exactly-as-they = Rhowch eich manylion yn union fel y maent yn ymddangos ar eich trwydded yrru yn y DU
important = Pwysig
we-could-not-match-these-details = Nid oeddem yn gallu paru'r manylion hyn â thrwydded yrru.
check-them-against-your-licence-and = Gwiriwch nhw yn erbyn eich trwydded a rhowch gynnig arall arni, neu
use-a-different-document = defnyddiwch ddogfen wahanol
surname = Cyfenw
section-1-of-your-licence = Adran 1 o’ch trwydded
first-and-middle-names = Enwau cyntaf a chanol
section-2-of-your-licence = Adran 2 o’ch trwydded
date-of-birth = Dyddiad geni
section-3-of-your-licence-for = Adran 3 o’ch trwydded, er enghraifft 27 3 1985
issue-date = Dyddiad cyhoeddi
section-4a-of-your-licence = Adran 4a o’ch trwydded
valid-until = Yn ddilys tan
section-4b-of-your-licence = Adran 4b o’ch trwydded
licence-number = Rhif trwydded
section-5-of-your-licence-16 = Adran 5 o’ch trwydded: 16 nod, fel MORGA753116SM9IJ
issue-number = Rhif cyhoeddi
the-2-numbers-after-the-licence = Y 2 rif ar ôl rhif y drwydded, yn adran 5. Nid ydynt ar drwyddedau Gogledd Iwerddon.
the-postcode-on-your-licence-section = Y cod post ar eich trwydded, adran 8
go-back-to-the-service = Mynd yn ôl i'r gwasanaeth
you-cannot-prove-your-identity-online = Nid ydych yn gallu profi eich hunaniaeth ar-lein ar hyn o bryd
there-have-been-too-many-attempts = Bu gormod o ymdrechion i brofi eich hunaniaeth gyda'r manylion hyn.
you-can-try-again-online-in = Gallwch roi cynnig arall arni ar-lein ymhen { $wait }.
what-you-can-do-now = Beth allwch chi ei wneud nawr
go-back-to-the-service-it = Ewch yn ôl i'r gwasanaeth. Bydd yn dweud wrthych am ffyrdd eraill o brofi eich hunaniaeth, fel mewn Swyddfa'r Post.
enter-your-details-exactly-as-they-2 = Rhowch eich manylion yn union fel y maent yn ymddangos ar eich pasbort y DU
we-could-not-match-these-details-2 = Nid oeddem yn gallu paru'r manylion hyn â phasbort.
check-them-against-your-passport-and = Gwiriwch nhw yn erbyn eich pasbort a rhowch gynnig arall arni
passport-number = Rhif pasbort
n-9-numbers-at-the-top-of = 9 rhif, ar frig y dudalen llun, fel 123456789
as-they-appear-on-your-passport = Fel y maent yn ymddangos ar eich pasbort, gyda bylchau rhyngddynt
for-example-27-3-1985 = Er enghraifft, 27 3 1985
expiry-date = Dyddiad dod i ben
for-example-27-3-2030 = Er enghraifft, 27 3 2030
you-have-proved-your-identity = Rydych wedi profi eich hunaniaeth
you-can-now-continue-to-next = Gallwch nawr barhau i { $service }. Y tro nesaf y bydd gwasanaeth y llywodraeth yn gofyn, ni fydd angen i chi brofi eich hunaniaeth eto.
continue-to-the-service = Parhau i'r gwasanaeth
question-of = Cwestiwn { $number } o { $total }
answer-from-your-own-records-do = Atebwch o'ch cofnodion eich hun. Peidiwch â dyfalu: mae ateb anghywir yn cyfrif yn eich erbyn.
you-have-already-proved-your-identity = Rydych eisoes wedi profi eich hunaniaeth
can-use-the-identity-you-proved = Gall { $service } ddefnyddio'r hunaniaeth a brofwyd gennych gyda GOV.UK One Login. Gwiriwch mai eich manylion chi yw'r rhain:
name = Enw
address = Cyfeiriad
these-details-are-wrong-or-have = Mae'r manylion hyn yn anghywir neu wedi newid
go-back-to-the-service-without = Ewch yn ôl i'r gwasanaeth heb eu rhannu. Gallwch brofi eich hunaniaeth eto gyda'ch manylion newydd.
go-back-without-sharing = Mynd yn ôl heb rannu
prove-your-identity = Profi eich hunaniaeth
needs-to-know-it-is-really = Mae angen i { $service } wybod mai chi sydd yno go iawn. Dim ond unwaith y mae angen i chi wneud hyn: gall gwasanaethau eraill y llywodraeth wedyn ddefnyddio eich hunaniaeth wedi'i phrofi, os ydych yn cytuno.
it-takes-about-10-minutes-we = Mae'n cymryd tua 10 munud. Byddwn yn gofyn am:
details-from-a-uk-passport-or = manylion o basbort y DU neu drwydded yrru cerdyn-llun y DU
your-home-address = eich cyfeiriad cartref
answers-to-some-questions-that-only = atebion i rai cwestiynau y dylech chi yn unig wybod yr atebion iddynt
which-photo-id-will-you-use = Pa ddogfen adnabod â llun fyddwch chi'n ei defnyddio?
it-can-have-expired-up-to = Gall fod wedi dod i ben hyd at 18 mis yn ôl.
check-your-email = Gwiriwch eich e-bost
we-have-sent-a-code-to = Rydym wedi anfon cod i:
the-code-expires-after-minutes-if = Bydd y cod yn dod i ben ar ôl { $ttl_minutes } munud. Os nad ydych yn gweld yr e-bost, gwiriwch eich ffolder sbam.
enter-the-6-digit-code = Rhowch y cod 6 digid
not-received-the-email = Heb gael yr e-bost?
send-the-code-again-or-use = Anfon y cod eto neu ddefnyddio cyfeiriad e-bost gwahanol
enter-your-email-address-to-create = Rhowch eich cyfeiriad e-bost i greu eich GOV.UK One Login
we-will-send-a-code-to = Byddwn yn anfon cod i'r cyfeiriad hwn i wirio mai chi sy'n berchen arno.
already-have-a-gov-uk-one = Oes gennych GOV.UK One Login yn barod?
create-your-password = Creu eich cyfrinair
your-password-must-be-at-least = Rhaid i'ch cyfrinair fod o leiaf 8 nod o hyd. Mae ymadrodd hir o eiriau bob dydd yn hawdd i'w gofio ac yn anodd i'w ddyfalu.
confirm-your-password = Cadarnhewch eich cyfrinair
enter-the-security-code-shown-in = Rhowch y cod diogelwch a ddangosir yn eich ap dilysu
this-is-the-6-digit-code = Dyma'r cod 6 digid ar gyfer GOV.UK One Login.
i-do-not-have-access-to = Nid oes gennyf fynediad at fy ap dilysu
create-a-new-password = Creu cyfrinair newydd
to-keep-your-gov-uk-one = Er mwyn cadw eich GOV.UK One Login yn ddiogel, mae tîm GOV.UK One Login wedi gofyn i chi newid eich cyfrinair cyn i chi barhau.
your-new-password-must-be-at = Rhaid i'ch cyfrinair newydd fod o leiaf 8 nod o hyd ac yn wahanol i'r un rydych yn ei ddefnyddio nawr. Mae ymadrodd hir o eiriau bob dydd yn hawdd i'w gofio ac yn anodd i'w ddyfalu.
new-password = Cyfrinair newydd
confirm-your-new-password = Cadarnhewch eich cyfrinair newydd
sign-in-to-your-gov-uk = Mewngofnodi i’ch GOV.UK One Login
forgotten-your-password = Wedi anghofio eich cyfrinair?
no-gov-uk-one-login-yet = Dim GOV.UK One Login eto?
create-one = Creu un
is-the-address-of-a-gov = Os { $email } yw cyfeiriad GOV.UK One Login, rydym wedi anfon cod ato.
the-code-works-for-minutes-if = Mae'r cod yn gweithio am { $ttl_minutes } munud. Os nad oes e-bost yn cyrraedd, edrychwch yn eich ffolder sbam neu sothach.
no-email = Dim e-bost?
ask-for-a-new-code-or = Gofyn am god newydd, neu wirio'r cyfeiriad e-bost a roesoch
the-address-you-use-to-sign = Y cyfeiriad rydych yn ei ddefnyddio i fewngofnodi i GOV.UK One Login. Byddwn yn anfon cod ato drwy e-bost.
choose-a-new-password = Dewiswch gyfrinair newydd
use-at-least-8-characters-and = Defnyddiwch o leiaf 8 nod, ac nid y cyfrinair oedd gennych. Mae sawl gair bob dydd gyda'i gilydd yn gwneud cyfrinair sy'n hawdd i'w gofio ac yn anodd i'w ddyfalu.
type-the-new-password-again = Teipiwch y cyfrinair newydd eto
enter-your-password = Rhowch eich cyfrinair
to-get-a-new-authenticator-app = I gael ap dilysu newydd, rhowch gyfrinair eich GOV.UK One Login yn gyntaf.
check-them-against-your-passport-or = Gwiriwch nhw yn erbyn eich pasbort a rhowch gynnig arall arni, neu
identity-tries-left = Mae gennych { $count ->
    [one] 1 cynnig
   *[other] { $count } cynnig
} ar ôl.

## Words the code composes, found by their English (Language::from_english)
msg-sorry-there-is-a-problem-with = Mae’n ddrwg gennym, mae problem gyda’r hyn a anfonwyd
msg-the-form-could-not-be-read = Nid oedd modd darllen y ffurflen. Ewch yn ôl, gwiriwch yr hyn a roesoch a rhowch gynnig arall arni.
msg-go-to-the-start-of-the = Mynd i ddechrau’r gwasanaeth
msg-your-session-has-timed-out = Mae eich sesiwn wedi dod i ben
msg-you-were-away-for-a-while = Roeddech i ffwrdd am ychydig, neu nid yw eich porwr yn cadw cwcis o’r gwasanaeth hwn. Nid ydym wedi cadw eich atebion.
msg-to-continue-start-again-if-this = I barhau, dechreuwch eto. Os yw hyn yn parhau i ddigwydd, gwnewch yn siŵr bod cwcis wedi’u troi ymlaen.
msg-start-again = Dechrau eto
msg-sorry-that-form-has-expired = Mae’n ddrwg gennym, mae’r ffurflen honno wedi dod i ben
msg-the-form-was-out-of-date = Roedd y ffurflen wedi dyddio, neu ni chafodd ei hanfon o’r gwasanaeth hwn. Nid ydym wedi gweithredu arni.
msg-too-many-attempts = Gormod o ymdrechion
msg-page-not-found = Heb ddod o hyd i’r dudalen
msg-if-you-typed-the-web-address = Os gwnaethoch deipio’r cyfeiriad gwe, gwiriwch ei fod yn gywir.
msg-if-you-pasted-the-web-address = Os gwnaethoch ludo’r cyfeiriad gwe, gwiriwch eich bod wedi copïo’r cyfeiriad cyfan.
msg-sorry-the-service-is-unavailable = Mae’n ddrwg gennym, nid yw’r gwasanaeth ar gael
msg-you-will-be-able-to-use = Byddwch yn gallu defnyddio’r gwasanaeth eto cyn bo hir. Nid ydym wedi colli unrhyw un o’ch manylion sydd wedi’u cadw.
msg-try-again = Rhowch gynnig arall arni
msg-sorry-there-is-a-problem-with-2 = Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth
msg-try-again-later-we-have-not = Rhowch gynnig arall arni yn nes ymlaen. Nid ydym wedi colli unrhyw un o’ch manylion sydd wedi’u cadw.
msg-you-have-signed-out = Rydych wedi allgofnodi
msg-you-have-signed-out-of-your = Rydych wedi allgofnodi o’ch GOV.UK One Login a’r gwasanaethau a ddefnyddiwyd gennych gydag ef.
msg-sign-in-again = Mewngofnodi eto
msg-sorry-there-is-a-problem-with-3 = Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth y daethoch ohono
msg-go-back-to-the-service-and = Ewch yn ôl i’r gwasanaeth a rhowch gynnig arall arni. Os yw’n parhau i ddigwydd, cysylltwch â’r gwasanaeth hwnnw.
msg-go-to-gov-uk-one-login = Mynd i GOV.UK One Login
msg-a-unique-reference-for-you-that = Cyfeirnod unigryw i chi y mae’r gwasanaeth hwn yn unig yn ei gael
msg-your-email-address = Eich cyfeiriad e-bost
msg-your-phone-number = Eich rhif ffôn
msg-access-to-these-details-while-you = Mynediad at y manylion hyn tra nad ydych wedi mewngofnodi, nes i chi ei dynnu’n ôl
msg-your-verified-name-and-date-of = Eich enw a’ch dyddiad geni wedi’u gwirio
msg-your-address = Eich cyfeiriad
msg-your-passport-details = Manylion eich pasbort
msg-your-driving-licence-details = Manylion eich trwydded yrru
msg-whether-you-are-over-16 = P’un a ydych chi dros 16 oed
msg-whether-you-are-over-18 = P’un a ydych chi dros 18 oed
msg-whether-you-are-over-21 = P’un a ydych chi dros 21 oed
msg-a-code-saying-why-your-identity = Cod sy’n dweud pam nad oedd modd cadarnhau eich hunaniaeth, os nad oedd modd
msg-the-service-you-came-from-is = Nid yw’r gwasanaeth y daethoch ohono wedi’i gofrestru mwyach.
msg-you-entered-the-wrong-code-too = Rydych wedi rhoi’r cod anghywir gormod o weithiau
msg-for-your-security-that-code-no = Er eich diogelwch, nid yw’r cod hwnnw’n gweithio mwyach.
msg-get-a-new-code = Cael cod newydd
msg-you-already-have-a-gov-uk = Mae gennych GOV.UK One Login yn barod
msg-there-is-already-a-gov-uk = Mae GOV.UK One Login eisoes yn bodoli ar gyfer y cyfeiriad e-bost hwn.
msg-your-password-must-be-256-characters = Rhaid i’ch cyfrinair fod yn 256 nod neu lai
msg-the-password-is-not-correct = Nid yw’r cyfrinair yn gywir
msg-you-cannot-sign-in-at-the = Nid ydych yn gallu mewngofnodi ar hyn o bryd
msg-you-entered-the-wrong-password-or = Rydych wedi rhoi’r cyfrinair neu’r cod diogelwch anghywir gormod o weithiau.
msg-you-can-try-again-now = Gallwch roi cynnig arall arni nawr.
msg-for-your-security-you-cannot-sign = Er eich diogelwch, nid ydych yn gallu mewngofnodi am ychydig. Rhowch gynnig arall arni yn nes ymlaen.
msg-incorrect-email-address-or-password = Cyfeiriad e-bost neu gyfrinair anghywir
msg-enter-your-email-address = Rhowch eich cyfeiriad e-bost
msg-the-security-code-you-entered-is = Nid yw’r cod diogelwch a roesoch yn gywir. Gwiriwch eich ap dilysu a rhowch gynnig arall arni
msg-your-new-password-must-be-different = Rhaid i’ch cyfrinair newydd fod yn wahanol i’ch cyfrinair presennol
msg-sorry-that-did-not-work = Mae’n ddrwg gennym, ni weithiodd hynny
msg-this-address-does-not-accept-that = Nid yw’r cyfeiriad hwn yn derbyn y math hwnnw o gais.
msg-enter-the-code = Rhowch y cod
msg-enter-the-code-which-is-6 = Rhowch y cod, sy’n 6 digid
msg-the-code-you-entered-is-not = Nid yw’r cod a roesoch yn gywir. Mae gennych 1 cynnig arall cyn i’r cod stopio gweithio
msg-the-code-you-entered-is-not-2 = Nid yw’r cod a roesoch yn gywir. Mae gennych 2 gynnig arall cyn i’r cod stopio gweithio
msg-the-code-you-entered-is-not-3 = Nid yw’r cod a roesoch yn gywir. Gwiriwch yr e-bost a rhowch gynnig arall arni
msg-the-code-has-expired-ask-for = Mae’r cod wedi dod i ben. Gofynnwch am god newydd
msg-enter-the-security-code = Rhowch y cod diogelwch
msg-enter-the-security-code-which-is = Rhowch y cod diogelwch, sy’n 6 digid
msg-the-security-code-is-not-correct = Nid yw’r cod diogelwch yn gywir. Gwiriwch eich ap dilysu a rhowch y cod y mae’n ei ddangos nawr
msg-enter-a-password = Rhowch gyfrinair
msg-your-password-must-be-at-least = Rhaid i’ch cyfrinair fod o leiaf 8 nod o hyd
msg-enter-a-stronger-password-do-not = Rhowch gyfrinair cryfach. Peidiwch â defnyddio cyfrineiriau cyffredin iawn, fel ‘cyfrinair’ neu gyfres o rifau
msg-re-type-your-password = Teipiwch eich cyfrinair eto
msg-enter-the-same-password-in-both = Rhowch yr un cyfrinair yn y ddau faes
msg-your-email-address-must-be-256 = Rhaid i’ch cyfeiriad e-bost fod yn 256 nod neu lai
msg-enter-an-email-address-in-the = Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com
msg-your-gov-uk-one-login-is = Mae eich GOV.UK One Login wedi’i atal
msg-your-gov-uk-one-login-is-2 = Mae eich GOV.UK One Login wedi’i rwystro
msg-contact-the-gov-uk-one-login = Cysylltu â thîm GOV.UK One Login
msg-accessibility-statement-for-gov-uk-one = Datganiad hygyrchedd ar gyfer GOV.UK One Login
msg-cookies-on-gov-uk-one-login = Cwcis ar GOV.UK One Login
msg-we-do-not-use-analytics-or = Nid ydym yn defnyddio cwcis dadansoddi na hysbysebu.
msg-privacy-notice-for-gov-uk-one = Hysbysiad preifatrwydd ar gyfer GOV.UK One Login
msg-reset-your-password = Ailosod eich cyfrinair
msg-go-back-to-sign-in = Mynd yn ôl i fewngofnodi
msg-select-your-address = Dewiswch eich cyfeiriad
msg-you-have-not-proved-your-identity = Nid ydych wedi profi eich hunaniaeth
msg-you-can-go-back-to-the = Gallwch fynd yn ôl i’r gwasanaeth nawr. Bydd yn dweud wrthych beth arall y gallwch ei wneud.
msg-we-could-not-confirm-your-identity = Nid oeddem yn gallu cadarnhau eich hunaniaeth
msg-we-could-not-match-the-details = Nid oeddem yn gallu paru’r manylion a roesoch â’r cofnodion a wiriwyd gennym.
msg-go-back-to-the-service-to = Ewch yn ôl i’r gwasanaeth i gael gwybod am ffyrdd eraill o brofi eich hunaniaeth, fel mewn Swyddfa’r Post.
msg-i-do-not-have-either-of = Nid oes gennyf yr un o’r rhain
msg-uk-passport = Pasbort y DU
msg-uk-photocard-driving-licence = Trwydded yrru cerdyn-llun y DU
msg-select-the-photo-id-you-will = Dewiswch y ddogfen adnabod â llun y byddwch yn ei defnyddio
msg-select-an-answer = Dewiswch ateb
msg-enter-your-passport-number = Rhowch rif eich pasbort
msg-your-passport-number-should-be-9 = Dylai rhif eich pasbort fod yn 9 rhif, fel 123456789
msg-enter-a-uk-postcode-like-sw1a = Rhowch god post yn y DU, fel SW1A 2AA
msg-go-to-your-account = Mynd i’ch cyfrif

## Emails (crates/core/src/accounts/emails.rs)
email-code-subject = Eich cod diogelwch GOV.UK One Login
email-sign-up-code =
    Eich cod i greu GOV.UK One Login yw:

    { $code }

    Bydd y cod yn dod i ben ymhen { $minutes } munud.

    Os na wnaethoch ofyn am y cod hwn, gallwch anwybyddu'r e-bost hwn. Peidiwch â rhannu'r cod ag unrhyw un.
email-account-exists-subject = Mae gennych GOV.UK One Login yn barod
email-account-exists =
    Ceisiodd rhywun greu GOV.UK One Login gyda'r cyfeiriad e-bost hwn, ond mae gennych un yn barod.

    I fewngofnodi, ewch i { $url }

    Os nad chi oedd hyn, nid oes angen i chi wneud unrhyw beth.
email-reset-password-code =
    Eich cod i ailosod cyfrinair eich GOV.UK One Login yw:

    { $code }

    Bydd y cod yn dod i ben ymhen { $minutes } munud.

    Os na wnaethoch ofyn am y cod hwn, efallai bod rhywun wedi teipio eich cyfeiriad e-bost trwy gamgymeriad: nid oes angen i chi wneud unrhyw beth. Peidiwch â rhannu'r cod ag unrhyw un.
email-new-app-code =
    Eich cod i sefydlu ap dilysu newydd ar gyfer eich GOV.UK One Login yw:

    { $code }

    Bydd y cod yn dod i ben ymhen { $minutes } munud.

    Os na wnaethoch ofyn am y cod hwn, efallai bod rhywun wedi teipio eich cyfeiriad e-bost trwy gamgymeriad: nid oes angen i chi wneud unrhyw beth. Peidiwch â rhannu'r cod ag unrhyw un.
email-no-account-subject = GOV.UK One Login: dim cyfrif ar gyfer y cyfeiriad e-bost hwn
email-no-account =
    Gofynnodd rhywun am gael mynd yn ôl i mewn i GOV.UK One Login gyda'r cyfeiriad e-bost hwn, ond nid oes GOV.UK One Login ar ei gyfer.

    Os ydych yn defnyddio cyfeiriad e-bost arall i fewngofnodi, rhowch gynnig arall arni gyda hwnnw. I greu GOV.UK One Login, ewch i { $url }

    Os nad chi oedd hyn, nid oes angen i chi wneud unrhyw beth.
email-password-reset-subject = Mae cyfrinair eich GOV.UK One Login wedi'i newid
email-password-reset =
    Cafodd cyfrinair eich GOV.UK One Login ei newid ar { $when } (UTC).

    Er eich diogelwch, cawsoch eich allgofnodi ym mhob man arall, a bydd gwasanaethau rydych yn eu defnyddio yn gofyn i chi fewngofnodi eto.

    Os na wnaethoch hyn, efallai bod rhywun arall yn gwybod eich cyfrinair ac yn gallu darllen eich e-bost: newidiwch gyfrinair eich cyfrif e-bost, yna ailosodwch gyfrinair eich GOV.UK One Login.
email-app-replaced-subject = Mae ap dilysu eich GOV.UK One Login wedi'i newid
email-app-replaced =
    Cafodd ap dilysu eich GOV.UK One Login ei newid ar { $when } (UTC).

    Er eich diogelwch, cawsoch eich allgofnodi ym mhob man arall, a bydd gwasanaethau rydych yn eu defnyddio yn gofyn i chi fewngofnodi eto.

    Os na wnaethoch hyn, efallai bod rhywun arall yn gwybod eich cyfrinair ac yn gallu darllen eich e-bost: newidiwch gyfrinair eich cyfrif e-bost, yna ailosodwch gyfrinair eich GOV.UK One Login.
email-passkey-added-subject = Mae allwedd mynediad wedi’i hychwanegu at eich GOV.UK One Login
email-passkey-added =
    Cafodd allwedd mynediad o’r enw “{ $name }” ei hychwanegu at eich GOV.UK One Login ar { $when } (UTC). Gall fewngofnodi ar ei phen ei hun, heb eich cyfrinair.

    Er eich diogelwch, cawsoch eich allgofnodi ym mhob man arall, a bydd gwasanaethau rydych yn eu defnyddio yn gofyn i chi fewngofnodi eto.

    Os na wnaethoch hyn, efallai bod rhywun arall yn defnyddio eich GOV.UK One Login: mewngofnodwch, tynnwch yr allwedd mynediad a newidiwch eich cyfrinair.
email-passkey-removed-subject = Mae allwedd mynediad wedi’i thynnu o’ch GOV.UK One Login
email-passkey-removed =
    Cafodd yr allwedd mynediad o’r enw “{ $name }” ei thynnu o’ch GOV.UK One Login ar { $when } (UTC). Ni all fewngofnodi mwyach.

    Er eich diogelwch, cawsoch eich allgofnodi ym mhob man arall, a bydd gwasanaethau rydych yn eu defnyddio yn gofyn i chi fewngofnodi eto.

    Os na wnaethoch hyn, efallai bod rhywun arall yn defnyddio eich GOV.UK One Login: mewngofnodwch a newidiwch eich cyfrinair.
email-notice =
    { $what }

    Digwyddodd hyn ar { $when } (UTC).

    Os nad chi oedd hyn, efallai bod rhywun arall yn defnyddio eich GOV.UK One Login. Mewngofnodwch a newidiwch eich cyfrinair, neu cysylltwch â thîm GOV.UK One Login.
email-new-address-code =
    Eich cod i wneud hwn yn gyfeiriad e-bost eich GOV.UK One Login yw:

    { $code }

    Bydd y cod yn dod i ben ymhen { $minutes } munud.

    Os na wnaethoch ofyn am hyn, gallwch anwybyddu'r e-bost hwn. Peidiwch â rhannu'r cod ag unrhyw un.
email-address-taken-subject = Mae gan y cyfeiriad e-bost hwn GOV.UK One Login yn barod
email-address-taken =
    Gofynnodd rhywun am symud GOV.UK One Login arall i'r cyfeiriad e-bost hwn, ond mae gan y cyfeiriad hwn ei GOV.UK One Login ei hun yn barod, felly ni ellir ei ddefnyddio.

    Os nad chi oedd hyn, nid oes angen i chi wneud unrhyw beth.
msg-your-gov-uk-one-login-email-address-has = Mae cyfeiriad e-bost eich GOV.UK One Login wedi newid
msg-the-email-address-of-your-gov = Cafodd cyfeiriad e-bost eich GOV.UK One Login ei newid. Ni fyddwn yn anfon e-bost i'r cyfeiriad hwn mwyach.
msg-this-is-now-your-gov-uk = Dyma gyfeiriad e-bost eich GOV.UK One Login nawr
msg-you-now-sign-in-to-gov = Rydych nawr yn mewngofnodi i GOV.UK One Login gyda'r cyfeiriad e-bost hwn.
msg-your-gov-uk-one-login-is-closed = Mae eich GOV.UK One Login wedi'i gau
msg-your-gov-uk-one-login-was-closed = Cafodd eich GOV.UK One Login ei gau a'i fanylion eu dileu.
msg-your-gov-uk-one-login-password-has = Mae cyfrinair eich GOV.UK One Login wedi newid
msg-the-password-of-your-gov-uk = Cafodd cyfrinair eich GOV.UK One Login ei newid, a daeth pob mewngofnodi arall i ben.
msg-your-gov-uk-one-login-authenticator-app = Mae ap dilysu eich GOV.UK One Login wedi newid
msg-a-new-authenticator-app-was-set = Cafodd ap dilysu newydd ei sefydlu ar gyfer eich GOV.UK One Login. Nid yw codau'r hen ap yn gweithio mwyach, a daeth pob mewngofnodi arall i ben.

## Plain words on the account page (issue 15)
account-identity-proved = Rydych wedi profi eich hunaniaeth.
account-documents-used = Dogfennau a gwiriadau a ddefnyddiwyd
msg-uk-driving-licence = Trwydded yrru y DU
msg-fraud-prevention-check = Gwiriad atal twyll
msg-questions-about-your-records = Cwestiynau am eich cofnodion

## Words the account, recovery and information pages compose (Language::from_english)
msg-cancel-and-go-back-to-your = Canslo a mynd yn ôl i’ch cyfrif
msg-enter-your-password-to-continue = Rhowch eich cyfrinair i barhau
msg-you-signed-in-more-than-15 = Gwnaethoch fewngofnodi fwy na 15 munud yn ôl. Er mwyn cadw eich cyfrif yn ddiogel, rhowch eich cyfrinair cyn i chi newid sut rydych yn mewngofnodi.
msg-change-your-email-address = Newid eich cyfeiriad e-bost
msg-we-will-send-a-code-to = Byddwn yn anfon cod i’r cyfeiriad newydd i wirio mai chi sy’n berchen arno. Ni fydd dim yn newid nes i chi ei roi.
msg-new-email-address = Cyfeiriad e-bost newydd
msg-enter-an-email-address-that-is = Rhowch gyfeiriad e-bost sy’n wahanol i’r un rydych yn ei ddefnyddio nawr
msg-the-code-is-in-the-email = Mae’r cod yn yr e-bost.
msg-use-another-email-address-or-get = Defnyddio cyfeiriad e-bost arall neu gael cod newydd
msg-for-your-security-that-code-no-2 = Er eich diogelwch, nid yw’r cod hwnnw’n gweithio mwyach. Nid yw eich cyfeiriad e-bost wedi newid.
msg-you-cannot-use-that-email-address = Nid ydych yn gallu defnyddio’r cyfeiriad e-bost hwnnw
msg-that-email-address-belongs-to-another = Mae’r cyfeiriad e-bost hwnnw’n perthyn i GOV.UK One Login arall. Nid yw eich cyfeiriad e-bost wedi newid.
msg-use-another-email-address = Defnyddio cyfeiriad e-bost arall
msg-at-least-8-characters-and-not = O leiaf 8 nod, ac nid un sy’n cael ei ddefnyddio’n aml. Mae ymadrodd hir o eiriau bob dydd yn hawdd i’w gofio ac yn anodd i’w ddyfalu.
msg-change-your-password = Newid eich cyfrinair
msg-when-you-change-your-password-we = Pan fyddwch yn newid eich cyfrinair, byddwn yn eich allgofnodi o GOV.UK One Login ar bob dyfais arall.
msg-current-password = Cyfrinair presennol
msg-change-your-authenticator-app = Newid eich ap dilysu
msg-first-enter-a-code-from-the = Yn gyntaf, rhowch god o’r ap dilysu rydych yn ei ddefnyddio nawr. Yna byddwch yn sefydlu’r un newydd.
msg-security-code-from-your-current-authenticator = Cod diogelwch o’ch ap dilysu presennol
msg-i-do-not-have-my-current = Nid oes gennyf fy ap dilysu presennol
msg-the-security-code-is-not-correct-2 = Nid yw’r cod diogelwch yn gywir. Gwiriwch eich ap dilysu a rhowch gynnig arall arni
msg-the-security-code-is-not-correct-3 = Nid yw’r cod diogelwch yn gywir. Gwiriwch eich ap dilysu newydd a rhowch y cod y mae’n ei ddangos nawr
msg-if-you-close-your-gov-uk = Os byddwch yn cau eich GOV.UK One Login, byddwn yn ei ddileu: eich cyfeiriad e-bost, eich cyfrinair a’ch ap dilysu, eich hunaniaeth wedi’i phrofi a’r dystiolaeth y tu ôl iddi, a’r hyn y gwnaethoch gytuno i’w rannu â gwasanaethau.
msg-every-service-you-signed-in-to = Bydd pob gwasanaeth y gwnaethoch fewngofnodi iddo gydag ef yn cael gwybod eich bod wedi allgofnodi. Mae gwasanaethau’n cadw eu cofnodion eu hunain o’r hyn a wnaethoch gyda nhw.
msg-you-can-create-a-new-gov = Gallwch greu GOV.UK One Login newydd yn nes ymlaen, hyd yn oed gyda’r un cyfeiriad e-bost, ond byddai angen i chi brofi eich hunaniaeth eto.
msg-enter-your-password-to-close-your = Rhowch eich cyfrinair i gau eich GOV.UK One Login
msg-you-cannot-undo-this = Nid oes modd dadwneud hyn.
msg-close-my-gov-uk-one-login = Cau fy GOV.UK One Login
msg-we-have-deleted-your-gov-uk = Rydym wedi dileu eich GOV.UK One Login ac wedi eich allgofnodi ohono ym mhob man.
msg-we-have-sent-an-email-to = Rydym wedi anfon e-bost i gadarnhau hyn.
msg-go-to-the-start-of-gov = Mynd i ddechrau GOV.UK One Login
msg-report-activity-you-do-not-recognise = Rhoi gwybod am weithgarwch nad ydych yn ei adnabod
msg-we-will-sign-you-out-of = Byddwn yn eich allgofnodi o GOV.UK One Login ar bob dyfais arall ac yn atal pob gwasanaeth rydych yn ei ddefnyddio rhag gweithredu ar eich rhan nes i chi fewngofnodi iddo eto. Yna byddwn yn gofyn i chi newid eich cyfrinair.
msg-report-it-and-secure-my-account = Rhoi gwybod amdano a diogelu fy nghyfrif
msg-we-have-signed-you-out-of = Rydym wedi eich allgofnodi o GOV.UK One Login ar eich dyfeisiau eraill, a bydd gwasanaethau a ddefnyddiwyd gennych yn gofyn i chi fewngofnodi eto.
msg-you-have-changed-your-email-address = Rydych wedi newid eich cyfeiriad e-bost
msg-you-have-changed-your-password = Rydych wedi newid eich cyfrinair
msg-use-your-new-password-next-time = Defnyddiwch eich cyfrinair newydd y tro nesaf y byddwch yn mewngofnodi.
msg-you-have-changed-your-authenticator-app = Rydych wedi newid eich ap dilysu
msg-use-the-codes-from-your-new = Defnyddiwch y codau o’ch ap newydd pan fyddwch yn mewngofnodi. Nid yw codau’r hen ap yn gweithio mwyach: gallwch dynnu GOV.UK One Login ohono.
msg-we-have-secured-your-gov-uk = Rydym wedi diogelu eich GOV.UK One Login
msg-now-change-your-password-so-that = Nawr newidiwch eich cyfrinair, fel na all pwy bynnag a wnaeth hyn fewngofnodi eto.
msg-the-gov-uk-one-login-team = Mae tîm GOV.UK One Login wedi atal eich cyfrif am y tro. Tra bydd wedi’i atal, nid ydych yn gallu ei ddefnyddio i fewngofnodi i unrhyw wasanaeth.
msg-the-gov-uk-one-login-team-2 = Mae tîm GOV.UK One Login wedi rhwystro eich cyfrif. Nid ydych yn gallu ei ddefnyddio i fewngofnodi i unrhyw wasanaeth eto.
msg-to-find-out-why-or-what = I gael gwybod pam, neu beth allwch chi ei wneud, cysylltwch â thîm GOV.UK One Login. Rhowch wybod iddynt pa gyfeiriad e-bost y gwnaethoch fewngofnodi ag ef.
msg-this-service-is-built-with-the = Mae’r gwasanaeth hwn wedi’i adeiladu gyda System Ddylunio GOV.UK a’i nod yw bodloni Canllawiau Hygyrchedd Cynnwys y We (WCAG) 2.2 ar lefel AA.
msg-every-page-works-without-javascript-with = Mae pob tudalen yn gweithio heb JavaScript, gyda bysellfwrdd yn unig, gyda darllenydd sgrin, ac wedi’i chwyddo i 400%. Caiff pob tudalen ei gwirio’n awtomatig am broblemau hygyrchedd cyn iddi gael ei rhyddhau.
msg-if-you-find-a-part-of = Os ydych yn gweld rhan o’r gwasanaeth hwn yn anodd ei defnyddio, rhowch wybod i’r tîm sy’n ei redeg.
msg-gov-uk-one-login-puts-one = Mae GOV.UK One Login yn rhoi un cwci hanfodol ar eich dyfais. Mae’n eich cadw wedi mewngofnodi ac yn diogelu’r ffurflenni rydych yn eu hanfon rhag cael eu camddefnyddio gan wefannau eraill. Caiff ei ddileu pan fyddwch yn allgofnodi neu pan ddaw eich sesiwn i ben.
msg-we-keep-your-email-address-a = Rydym yn cadw eich cyfeiriad e-bost, stwnsh diogel o’ch cyfrinair ac allwedd eich ap dilysu, fel y gallwch fewngofnodi.
msg-we-keep-a-record-of-sign = Rydym yn cadw cofnod o fewngofnodi a gweithgarwch arall ar y cyfrif, y gallwch ei weld ar dudalen eich cyfrif, i ddiogelu eich cyfrif.
msg-we-share-information-with-a-government = Dim ond pan fyddwch yn dewis defnyddio gwasanaeth y llywodraeth gyda’ch GOV.UK One Login y byddwn yn rhannu gwybodaeth ag ef.
msg-enter-the-email-address-of-your = Rhowch gyfeiriad e-bost eich GOV.UK One Login. Byddwn yn anfon cod atoch drwy e-bost, yna gallwch ddewis cyfrinair newydd.
msg-get-a-new-authenticator-app = Cael ap dilysu newydd
msg-if-you-no-longer-have-the = Os nad oes gennych yr ap dilysu a sefydlwyd gennych mwyach, gallwch sefydlu un newydd. Byddwn yn anfon cod atoch drwy e-bost, yna’n gofyn am eich cyfrinair.
msg-if-you-have-proved-your-identity = Os ydych wedi profi eich hunaniaeth gyda GOV.UK One Login, byddwn hefyd yn gofyn i chi ei phrofi eto, fel na all neb arall gymryd eich cyfrif drosodd.
msg-choose-a-password-that-is-different = Dewiswch gyfrinair sy’n wahanol i’ch un presennol
msg-you-have-proved-your-identity-with = Rydych wedi profi eich hunaniaeth gyda GOV.UK One Login. Cyn i chi sefydlu ap dilysu newydd, profwch hi eto gyda’ch pasbort y DU.
msg-we-could-not-confirm-it-is = Nid oeddem yn gallu cadarnhau mai chi sydd yno
msg-the-passport-you-gave-is-not = Nid yw’r pasbort a roesoch yn perthyn i’r person a brofodd ei hunaniaeth gyda’r GOV.UK One Login hwn, felly nid ydym yn gallu sefydlu ap dilysu newydd.
msg-your-account-its-proven-identity-and = Nid yw eich cyfrif, ei hunaniaeth wedi’i phrofi na’i ap dilysu wedi newid. Os dewch o hyd i’r ap, gallwch fewngofnodi fel arfer.
msg-if-you-have-lost-it-for = Os ydych wedi’i golli am byth, cysylltwch â thîm GOV.UK One Login. Byddant yn gofyn i chi brofi eich hunaniaeth mewn ffordd arall, fel mewn Swyddfa’r Post.
msg-there-have-been-too-many-attempts = Bu gormod o ymdrechion i brofi hunaniaeth y GOV.UK One Login hwn.
msg-enter-the-number-from-section-5 = Rhowch y rhif o adran 5 eich trwydded
msg-your-licence-number-should-be-16 = Dylai rhif eich trwydded fod yn 16 nod (neu 8 rhif ar gyfer Gogledd Iwerddon)
msg-enter-the-2-numbers-of-the = Rhowch 2 rif y rhif cyhoeddi, o adran 4c eich trwydded
msg-sorry-there-is-a-problem-with-4 = Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth.

## The account page's activity list (one_login_store::AuditKind::describe)
activity-account-created = Cyfrif wedi’i greu
activity-signed-in = Wedi mewngofnodi
activity-sign-in-attempt-failed = Ymgais i fewngofnodi wedi methu
activity-sign-in-paused-after-too-many = Mewngofnodi wedi’i oedi ar ôl gormod o gyfrineiriau neu godau anghywir
activity-signed-out = Wedi allgofnodi
activity-identity-proved = Hunaniaeth wedi’i phrofi
activity-proven-identity-shared-with-a-service = Hunaniaeth wedi’i phrofi wedi’i rhannu â gwasanaeth
activity-identity-details-given-to-a-service = Manylion hunaniaeth wedi’u rhoi i wasanaeth
activity-email-address-changed = Cyfeiriad e-bost wedi newid
activity-password-changed = Cyfrinair wedi newid
activity-authenticator-app-changed = Ap dilysu wedi newid
activity-activity-reported-as-not-recognised = Rhoddwyd gwybod nad oedd y gweithgarwch yn gyfarwydd
activity-account-closed = Cyfrif wedi’i gau
activity-password-reset-asked-for = Gofynnwyd am ailosod cyfrinair
activity-password-reset = Cyfrinair wedi’i ailosod
activity-authenticator-app-replaced = Ap dilysu wedi’i ddisodli
activity-authenticator-app-not-replaced-the-identity = Ap dilysu heb ei ddisodli: roedd yr hunaniaeth a brofwyd yn perthyn i rywun arall
activity-account-suspended-by-the-gov-uk = Cyfrif wedi’i atal gan dîm GOV.UK One Login
activity-suspension-lifted-by-the-gov-uk = Ataliad wedi’i godi gan dîm GOV.UK One Login
activity-account-blocked-by-the-gov-uk = Cyfrif wedi’i rwystro gan dîm GOV.UK One Login
activity-new-password-required-by-the-gov = Cyfrinair newydd yn ofynnol gan dîm GOV.UK One Login
activity-new-proof-of-identity-required-by = Prawf hunaniaeth newydd yn ofynnol gan dîm GOV.UK One Login
activity-account-deleted = Cyfrif wedi’i ddileu
activity-new-password-chosen = Cyfrinair newydd wedi’i ddewis

## Error pages (issue 16)
quote-this-reference = Os byddwch yn cysylltu â ni am hyn, dyfynnwch y cyfeirnod hwn:

# Issue 17 §3: the proven identity in a wallet.
wallet-add-your-identity = Ychwanegu eich hunaniaeth wedi’i phrofi at waled
wallet-what-it-is = Gall ap waled ddigidol gadw eich hunaniaeth wedi’i phrofi fel credyd wedi’i lofnodi gan GOV.UK One Login. Pan fydd gwasanaeth yn gofyn, rydych chi’n dewis beth i’w rannu ohono: er enghraifft dim ond eich bod dros 18 oed, heb eich enw na’ch dyddiad geni.
wallet-open-your-wallet-app = Agorwch yr ap waled ar eich ffôn.
wallet-scan-this-qr-code = Sganiwch y cod QR hwn, neu agorwch y ddolen isod ar y ffôn sydd â’r waled.
wallet-qr-code-alt = Cod QR sy’n cynnig eich hunaniaeth wedi’i phrofi i ap waled
wallet-open-in-your-wallet-app = Agor yn eich ap waled
wallet-offer-works-once = Mae’r cynnig hwn yn gweithio unwaith, o fewn 5 munud. Os daw i ben, dewch yn ôl i’ch cyfrif a gofyn am un newydd.
wallet-back-to-your-account = Yn ôl i’ch cyfrif
wallet-add-to-a-wallet = Ei hychwanegu at ap waled
wallet-not-proven = Mae angen i chi brofi eich hunaniaeth cyn y gallwch ei hychwanegu at waled.

## sentences the code composes around values (issue 15)
duration-minutes = { $count } munud
duration-hours = { $count } awr
date-at-time = { $date } am { $time }
time-am = yb
time-pm = yh
time-unknown = anhysbys
too-many-attempts-wait = Bu gormod o ymdrechion o’ch cysylltiad rhyngrwyd. Arhoswch { $wait } a rhowch gynnig arall arni.
cannot-sign-in-for = Er eich diogelwch, ni allwch fewngofnodi am { $wait }. Rhowch gynnig arall arni ar ôl hynny.
go-back-to-named-service = Ewch yn ôl i { $service }
your-email-address-is = Eich cyfeiriad e-bost yw { $email }.
we-have-sent-a-code-to-it-expires = Rydym wedi anfon cod i { $email }. Bydd yn dod i ben ymhen { $minutes } munud.
you-are-reporting = Rydych yn rhoi gwybod am: { $event }, ar { $time } (UTC).
you-now-sign-in-with = Rydych nawr yn mewngofnodi gyda { $email }.
you-can-try-again-in-app-unchanged = Gallwch roi cynnig arall arni ymhen { $wait }. Nid yw eich ap dilysu wedi newid.
evidence-checked-on = { $what }, wedi’i wirio { $time }
service-last-on = { $service }, y tro diwethaf ar { $time }
problem-enter-your = Rhowch eich { $what }
problem-name-too-long = Rhaid i’ch { $what } fod yn 30 nod neu lai
problem-name-characters = Dim ond llythrennau, bylchau, cysylltnodau a chollnodau y gall eich { $what } eu cynnwys
problem-date-not-real = Rhaid i’ch { $what } fod yn ddyddiad go iawn, fel 27 3 2007
problem-date-year-digits = Rhaid i flwyddyn eich { $what } gynnwys 4 rhif
problem-date-in-future = Rhaid i’ch { $what } fod yn y gorffennol
problem-date-over-120-years = Rhaid i’ch { $what } fod o fewn y 120 mlynedd diwethaf
problem-date-over-10-years = Rhaid i’ch { $what } fod o fewn y 10 mlynedd diwethaf
problem-postcode-not-real = Rhowch god post go iawn, fel SW1A 2AA
problem-no-addresses-at-postcode = Nid oeddem yn gallu dod o hyd i unrhyw gyfeiriadau ar gyfer { $postcode }. Gwiriwch y cod post a rhowch gynnig arall arni
field-surname = cyfenw
field-given-names = enwau cyntaf a chanol
field-birth-date = dyddiad geni
field-passport-expiry-date = dyddiad dod i ben y pasbort
field-licence-issue-date = dyddiad cyhoeddi’r drwydded
field-licence-expiry-date = dyddiad dod i ben y drwydded
field-postcode = cod post
msg-youve-chosen-not-to-share = Rydych wedi dewis peidio â rhannu eich manylion
we-have-not-shared-your-details-with = Nid ydym wedi rhannu unrhyw un o’ch manylion â { $service }.
to-use-service-you-need-to-share = I ddefnyddio { $service } ar-lein, mae angen i chi rannu eich manylion ag ef. Gallwch ddechrau eto o’r gwasanaeth unrhyw bryd.
msg-the-service-sent-a-request-that = Anfonodd y gwasanaeth gais nad oedd GOV.UK One Login yn gallu ei ddarllen.

## the address typed by hand (issue 15)
my-address-is-not-listed = Nid yw fy nghyfeiriad wedi’i restru
enter-your-address = Rhowch eich cyfeiriad
an-address-you-enter-is-not-checked = Ni allwn wirio cyfeiriad rydych yn ei roi eich hun yn erbyn y gofrestr cyfeiriadau, felly ni fydd yn helpu i brofi pwy ydych chi.
address-line-1 = Llinell 1 y cyfeiriad
address-line-2-optional = Llinell 2 y cyfeiriad (dewisol)
town-or-city = Tref neu ddinas
problem-enter-address-line-1 = Rhowch linell gyntaf eich cyfeiriad
problem-enter-town = Rhowch eich tref neu ddinas
problem-address-line-too-long = Rhaid i bob llinell o’ch cyfeiriad fod yn 100 nod neu lai
problem-address-characters = Dim ond llythrennau, rhifau, bylchau ac atalnodi y gall eich cyfeiriad eu cynnwys
msg-your-address-as-you-entered-it = Eich cyfeiriad, fel y gwnaethoch ei roi (heb ei wirio)

## Passkeys (issue 17 §1: web::pages::passkeys, accounts::passkeys)
passkeys-title = Allweddi mynediad
passkeys-what = Mae allwedd mynediad yn gadael i chi fewngofnodi gyda’ch ffôn, eich cyfrifiadur neu eich allwedd ddiogelwch, gan ddefnyddio ei chlo sgrin (eich ôl bys, eich wyneb neu eich PIN) yn lle eich cyfrinair a’ch cod diogelwch. Dim ond ar y wefan hon y mae’n gweithio, felly ni all gwefan ffug eich twyllo i’w rhoi iddi.
passkeys-needs-javascript = Mae angen troi JavaScript ymlaen yn eich porwr i greu neu ddefnyddio allwedd mynediad. Hebddo, gallwch fewngofnodi gyda’ch cyfrinair a’ch ap dilysu o hyd.
passkeys-none-yet = Nid ydych wedi ychwanegu allwedd mynediad eto.
passkeys-added = Ychwanegwyd { $when }
passkeys-last-used = Defnyddiwyd ddiwethaf { $when }
passkeys-not-used-yet = Heb ei defnyddio eto
passkeys-remove = Tynnu
passkeys-add-heading = Ychwanegu allwedd mynediad
passkeys-name = Rhowch enw i’r allwedd mynediad hon
passkeys-name-hint = Er mwyn i chi allu gwahaniaethu rhwng eich allweddi mynediad, er enghraifft ‘Gliniadur gwaith’ neu ‘Fy ffôn’.
passkeys-create = Creu allwedd mynediad
passkeys-at-most = Mae gennych 10 allwedd mynediad, sef yr uchafswm. Tynnwch un i ychwanegu un arall.
passkeys-back-to-account = Mynd yn ôl i’ch cyfrif
passkeys-summary = Mewngofnodi gyda chlo sgrin eich dyfais yn lle cyfrinair a chod
passkeys-manage = Rheoli
passkeys-manage-hidden = allweddi mynediad
passkeys-sign-in-heading = Mewngofnodi gydag allwedd mynediad
passkeys-sign-in-hint = Os ydych wedi ychwanegu allwedd mynediad at eich GOV.UK One Login, gallwch ei defnyddio yn lle eich cyfeiriad e-bost, eich cyfrinair a’ch cod diogelwch. Mae angen troi JavaScript ymlaen yn eich porwr i ddefnyddio allweddi mynediad.
passkeys-sign-in-button = Mewngofnodi gydag allwedd mynediad
passkeys-instead-heading = Defnyddio allwedd mynediad yn lle hynny
passkeys-instead-hint = Gallwch ddefnyddio allwedd mynediad rydych wedi’i hychwanegu yn lle cod diogelwch. Mae angen troi JavaScript ymlaen yn eich porwr i ddefnyddio allweddi mynediad.
passkeys-instead-button = Defnyddio allwedd mynediad
msg-passkey-enter-a-name = Rhowch enw i’ch allwedd mynediad
msg-passkey-name-too-long = Rhaid i enw eich allwedd mynediad fod yn 50 nod neu lai
msg-passkey-name-special = Ni ddylai enw eich allwedd mynediad gynnwys nodau arbennig
msg-passkey-not-sent = Ni anfonodd eich porwr allwedd mynediad. Mae angen JavaScript ar allweddi mynediad: gwiriwch ei fod wedi’i droi ymlaen, yna rhowch gynnig arall arni. Gallwch fewngofnodi gyda’ch cyfrinair a’ch ap dilysu bob amser.
msg-passkey-refused = Nid oeddem yn gallu gwirio’r allwedd mynediad honno. Rhowch gynnig arall arni, neu mewngofnodwch gyda’ch cyfrinair a’ch ap dilysu.
msg-passkey-not-added = Nid oeddem yn gallu ychwanegu’r allwedd mynediad honno. Rhowch gynnig arall arni, neu defnyddiwch ddyfais arall.
msg-passkey-already-added = Mae’r allwedd mynediad honno wedi’i gosod yn barod.
msg-passkey-too-many = Mae gennych 10 allwedd mynediad yn barod. Tynnwch un nad ydych yn ei defnyddio mwyach cyn i chi ychwanegu un arall.
activity-passkey-added = Allwedd mynediad wedi’i hychwanegu
activity-passkey-removed = Allwedd mynediad wedi’i thynnu

## Feedback (issue 15: web::pages::feedback, core::feedback). The character count's words for
## govuk-frontend keep its %{count} placeholder, written as a Fluent string literal.
feedback-heading = Rhoi adborth ar GOV.UK One Login
feedback-intro = Mae hwn yn wasanaeth newydd. Rhowch wybod i ni beth weithiodd yn dda a beth na weithiodd, er mwyn i ni allu ei wella.
feedback-topic-legend = Am beth hoffech chi ddweud wrthym?
feedback-topic-creating-account = Creu GOV.UK One Login
feedback-topic-signing-in = Mewngofnodi
feedback-topic-proving-identity = Profi eich hunaniaeth
feedback-topic-your-account = Rheoli eich GOV.UK One Login
feedback-topic-something-else = Rhywbeth arall
feedback-text-label = Dywedwch wrthym am eich profiad
feedback-text-hint = Peidiwch â chynnwys gwybodaeth bersonol, fel rhif eich pasbort, eich dyddiad geni neu eich cyfrinair.
feedback-count-limit = Gallwch roi hyd at 1,200 nod
feedback-count-under-limit-one = Mae gennych {"%{count}"} nod yn weddill
feedback-count-under-limit-other = Mae gennych {"%{count}"} nod yn weddill
feedback-count-at-limit = Mae gennych 0 nod yn weddill
feedback-count-over-limit-one = Mae gennych {"%{count}"} nod yn ormod
feedback-count-over-limit-other = Mae gennych {"%{count}"} nod yn ormod
feedback-count-description = Gallwch roi hyd at {"%{count}"} nod
feedback-reply-legend = Ydych chi eisiau ateb?
feedback-reply-yes = Ydw
feedback-reply-no = Nac ydw
feedback-email-label = Cyfeiriad e-bost (os ydych chi eisiau ateb)
feedback-email-hint = Byddwn ond yn ei ddefnyddio i ateb eich adborth.
feedback-send = Anfon adborth
msg-select-what-your-feedback-is = Dewiswch am beth mae eich adborth
msg-enter-your-feedback = Rhowch eich adborth
msg-your-feedback-must-be-1200 = Rhaid i’ch adborth fod yn 1,200 nod neu lai
msg-thank-you-for-your-feedback = Diolch am eich adborth
msg-we-will-use-it-to-improve = Byddwn yn ei ddefnyddio i wella GOV.UK One Login.
msg-if-you-asked-for-a-reply = Os gwnaethoch ofyn am ateb, byddwn yn anfon e-bost atoch.
msg-return-to-where-you-were = Dychwelyd i ble’r oeddech chi
msg-we-keep-feedback-you-send = Rydym yn cadw adborth rydych yn ei anfon am flwyddyn. Rydym yn cadw eich cyfeiriad e-bost gydag ef dim ond os ydych yn gofyn am ateb, ac rydym yn ei dynnu os byddwch yn dileu eich GOV.UK One Login.

## The simulated credit reference agency's questions and answers, written in English by
## crates/identity-proofing and found here by their English (Language::from_english)
kbv-bank = Gyda pha un o’r banciau neu’r cymdeithasau adeiladu hyn y mae gennych gyfrif cyfredol?
kbv-loan = Gyda pha un o’r cwmnïau hyn rydych wedi cael benthyciad neu gerdyn credyd yn ystod y 3 blynedd diwethaf?
kbv-phone = Gyda pha un o’r cwmnïau hyn y mae eich contract ffôn symudol?
kbv-mortgage = Faint yw eich taliad morgais misol?
kbv-energy = Pa un o’r cwmnïau hyn sy’n cyflenwi eich nwy neu’ch trydan?
kbv-car-finance = Gyda pha un o’r cwmnïau hyn rydych wedi cael cyllid car yn ystod y 5 mlynedd diwethaf?
kbv-none-of-these = Dim un o’r rhain
kbv-no-mortgage = Nid oes gennyf forgais
kbv-mortgage-up-to-400 = Hyd at £400
kbv-mortgage-401-to-700 = £401 i £700
kbv-mortgage-701-to-1000 = £701 i £1,000
kbv-mortgage-over-1000 = Dros £1,000
the-service = Y gwasanaeth
