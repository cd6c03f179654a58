"""The Welsh (Cymraeg) wording of every email in config/notify.py, key for key (GOV.UK Notify
templates NOTIFY_TEMPLATE_<KEY>_CY in production). A professional translator must check these
before live use."""

from __future__ import annotations

from config.notify import Template

TEMPLATES_CY: dict[str, Template] = {
    "consent_request": Template(
        "Mae {provider} yn gofyn am gael anfon anfonebau at DWP am ofal plant {child}",
        "Hoffai {provider} anfon anfonebau am ofal plant {child} yn syth at DWP, fel nad oes rhaid i "
        "chi dalu yn gyntaf a hawlio'r arian yn ôl wedyn.\n\nRhoi neu wrthod caniatâd: {link}",
    ),
    "invoice_to_confirm": Template(
        "Cadarnhewch eich anfoneb gofal plant gan {provider}",
        "Mae {provider} wedi anfon anfoneb {invoice_number} am ofal {child} o {care_from} i {care_to}. "
        "Mae DWP yn disgwyl talu {dwp} a byddech chi'n talu {parent}.\n\nDim ond ar ôl i chi ei "
        "chadarnhau y bydd DWP yn talu: {link}",
    ),
    "invoice_reminder": Template(
        "Nodyn atgoffa: cadarnhewch eich anfoneb gofal plant gan {provider}",
        "Mae anfoneb {invoice_number} gan {provider} yn dal i aros amdanoch chi. Ni all DWP dalu eich "
        "darparwr nes i chi ei chadarnhau neu roi gwybod i ni beth sydd o'i le: {link}",
    ),
    "invoice_escalated_parent": Template(
        "Mae anfoneb {invoice_number} gan {provider} yn dal i aros amdanoch chi",
        "Nid ydych chi wedi cadarnhau nac anghytuno ag anfoneb {invoice_number} gan {provider} ers "
        "{days} diwrnod. Nid yw DWP yn talu eich darparwr nes i chi ateb, ac mae eich darparwr wedi "
        "cael gwybod bod yr anfoneb yn aros.\n\nI gadarnhau'r anfoneb neu roi gwybod i ni beth sydd o'i "
        "le: {link}",
    ),
    "invoice_escalated_provider": Template(
        "Mae anfoneb {invoice_number} yn dal i aros am y rhiant",
        "Nid yw'r rhiant wedi cadarnhau nac anghytuno ag anfoneb {invoice_number} ers {days} diwrnod. "
        "Mae DWP wedi cael gwybod ac wedi atgoffa'r rhiant; nid yw DWP yn talu nes i'r rhiant "
        "ateb.\n\nGweld yr anfoneb: {link}",
    ),
    "invoice_nothing_to_pay": Template(
        "Ni fydd DWP yn talu dim tuag at anfoneb {invoice_number}",
        "Roedd eich terfyn gofal plant Credyd Cynhwysol ar gyfer y cyfnod asesu eisoes wedi'i "
        "ddefnyddio pan ddaeth yn amser talu anfoneb {invoice_number}, felly nid yw DWP yn talu dim "
        "tuag ati. Mae arnoch chi'r swm cyfan i'ch darparwr, sef {parent}.\n\nGweld yr anfoneb: {link}",
    ),
    "payee_changed": Template(
        "Mae'r man lle mae DWP yn talu {provider} wedi newid",
        "Mae {who} wedi newid i ble mae DWP yn talu {provider}: o hyn ymlaen, mae DWP yn talu i "
        "{destination}. Mae DWP yn dal taliadau i chi yn ôl tan {held_until} a nes iddi wirio'r newid "
        "gyda chi.\n\nOs na wnaethoch chi ofyn am hyn, ffoniwch dîm Gofal Plant Uniongyrchol DWP ar "
        "unwaith ar y rhif sydd gennych chi eisoes ar ein cyfer: peidiwch â defnyddio unrhyw rif sydd "
        "mewn e-bost.",
    ),
    "provider_invitation": Template(
        "Mae {inviter} wedi eich gwahodd i gyfrif Gofal Plant Uniongyrchol {provider}",
        "Mae {inviter} wedi eich gwahodd i anfon anfonebau at DWP ar ran {provider}.\n\nCrëwch eich "
        "cyfrinair o fewn 7 diwrnod: {link}\n\nOs nad oeddech chi'n disgwyl hyn, gallwch anwybyddu'r "
        "e-bost hwn.",
    ),
    "provider_locked": Template(
        "Mae rhywun yn ceisio mewngofnodi i'ch cyfrif Gofal Plant Uniongyrchol",
        "Mae rhywun wedi rhoi'r cyfrinair neu'r cod diogelwch anghywir ar gyfer eich cyfrif ormod o "
        "weithiau o'r un lle, felly rydym wedi rhoi'r gorau i dderbyn ymdrechion o'r lle hwnnw tan "
        "{until}, neu'n hirach os byddan nhw'n parhau. Gallwch chi fewngofnodi fel arfer o hyd. Os nad "
        "chi oedd hyn, ailosodwch eich cyfrinair ac allgofnodwch ym mhobman. Rydym yn anfon e-bost "
        "atoch unwaith bob tro y bydd hyn yn digwydd, nid ar gyfer pob ymdrech.",
    ),
    "provider_password_reset": Template(
        "Ailosod eich cyfrinair Gofal Plant Uniongyrchol",
        "Mae rhywun wedi gofyn am ailosod y cyfrinair ar gyfer eich cyfrif Gofal Plant Uniongyrchol. "
        "Dewiswch gyfrinair newydd o fewn 1 awr: {link}\n\nDim ond unwaith y mae'r ddolen yn gweithio. "
        "Bydd ailosod y cyfrinair yn eich allgofnodi ar bob dyfais; bydd angen eich cod diogelwch "
        "arnoch o hyd. Os na wnaethoch chi ofyn am hyn, gallwch anwybyddu'r e-bost hwn.",
    ),
    "provider_password_changed": Template(
        "Mae eich cyfrinair Gofal Plant Uniongyrchol wedi'i newid",
        "Mae'r cyfrinair ar gyfer eich cyfrif Gofal Plant Uniongyrchol newydd gael ei ailosod, ac "
        "rydych chi wedi cael eich allgofnodi ar bob dyfais. Os nad chi oedd hyn, ffoniwch dîm Gofal "
        "Plant Uniongyrchol DWP ar unwaith.",
    ),
    "provider_registered": Template(
        "Mae {provider} wedi cofrestru gyda Gofal Plant Uniongyrchol",
        "Rydym wedi cael eich cais i gofrestru {provider}. Bydd DWP yn ei wirio gyda {regulator} ac yn "
        "cadarnhau eich manylion banc. Gallwch chi fewngofnodi a pharatoi nawr; gallwch chi anfon "
        "anfonebau ar ôl i ni eich dilysu.",
    ),
    "payment_failed": Template(
        "Ni chyrhaeddodd taliad gan DWP atoch chi: {reference_code}",
        "Ni wnaeth taliad DWP {reference_code} o {amount} eich cyrraedd ({reason}). Bydd yr anfonebau "
        "ynddo'n cael eu talu eto yn y rhediad talu nesaf; gwiriwch fod eich manylion banc yn gywir: "
        "{link}",
    ),
    "invoice_disputed": Template(
        "Mae rhiant wedi anghytuno ag anfoneb {invoice_number}",
        "Mae'r rhiant wedi anghytuno ag anfoneb {invoice_number} am {child}. Bydd DWP yn ymchwilio i'r "
        "mater.\n\nEu rheswm: {reason}",
    ),
    "consent_given": Template(
        "Gall {provider} nawr anfon anfonebau at DWP am ofal plant {child}",
        "Rydych chi wedi rhoi caniatâd i {provider} anfon anfonebau am ofal plant {child} yn syth at "
        "DWP, tan {until}. Byddwch chi'n cadarnhau pob anfoneb cyn i DWP dalu ei chyfran.\n\nGweld neu "
        "atal eich caniatadau: {link}",
    ),
    "consent_stopped": Template(
        "Ni all {provider} anfon anfonebau at DWP am {child} mwyach",
        "Gwnaethoch chi atal eich caniatâd ar {on}. Ni all {provider} anfon anfonebau newydd at DWP am "
        "ofal plant {child}: o hyn ymlaen, byddwch chi'n talu'r swm llawn i {provider}, ac yn rhoi "
        "gwybod am y costau yn eich cyfrif Credyd Cynhwysol fel o'r blaen. Bydd anfonebau rydych chi "
        "eisoes wedi'u cadarnhau yn dal i gael eu talu, a gallwch chi gadarnhau neu anghytuno ag "
        "anfonebau sy'n aros amdanoch chi o hyd.\n\nGweld eich caniatadau: {link}",
    ),
    "consent_ending": Template(
        "Mae eich caniatâd i {provider} yn para tan {ends}",
        "Mae eich caniatâd i {provider} anfon anfonebau at DWP am ofal plant {child} yn para tan "
        "{ends}. Ar ôl hynny, ni fydd DWP yn derbyn eu hanfonebau am {child}, a byddech chi'n talu'r "
        "swm llawn i {provider}.\n\nAdnewyddwch eich caniatâd am flwyddyn arall: {link}",
    ),
    "consent_ended": Template(
        "Mae eich caniatâd i {provider} wedi dod i ben",
        "Daeth eich caniatâd i {provider} anfon anfonebau at DWP am ofal plant {child} i ben ar "
        "{ended}. Nid yw DWP yn derbyn eu hanfonebau am {child} mwyach: nes i chi ei adnewyddu, "
        "byddwch chi'n talu'r swm llawn i {provider}.\n\nAdnewyddwch eich caniatâd: {link}",
    ),
    "invoice_approved": Template(
        "Bydd DWP yn talu ei chyfran o anfoneb {invoice_number}",
        "Mae DWP wedi cymeradwyo anfoneb {invoice_number} gan {provider} am ofal {child}. Bydd DWP yn "
        "talu {dwp} i {provider} yn y rhediad talu nesaf. Mae arnoch chi'r gweddill i {provider}, sef "
        "{parent}.\n\nGweld yr anfoneb: {link}",
    ),
    "invoice_held": Template(
        "Mae DWP yn gwirio anfoneb {invoice_number} cyn talu",
        "Mae DWP yn gwirio anfoneb {invoice_number} gan {provider} am ofal {child} cyn talu ei chyfran "
        "({reason}). Nid oes angen i chi wneud dim oni bai bod DWP yn cysylltu â chi.\n\nGweld yr "
        "anfoneb: {link}",
    ),
    "invoice_rejected": Template(
        "Ni fydd DWP yn talu anfoneb {invoice_number}",
        "Mae DWP wedi penderfynu peidio â thalu anfoneb {invoice_number} gan {provider} am ofal "
        "{child}. Y rheswm: {reason}. Nid yw DWP yn talu dim tuag ati; siaradwch â {provider} am "
        "hyn.\n\nGweld yr anfoneb: {link}",
    ),
    "invoice_paid": Template(
        "Mae DWP wedi talu ei chyfran o anfoneb {invoice_number} i {provider}",
        "Mae DWP wedi talu {dwp} i {provider} am anfoneb {invoice_number}, am ofal {child}. Mae arnoch "
        "chi'r gweddill i {provider}, sef {parent}, os nad ydych chi wedi'i dalu'n barod.\n\nGweld yr "
        "anfoneb: {link}",
    ),
    "partner_invitation": Template(
        "Mae {inviter} wedi eich gwahodd i rannu cyfrif gofal plant eich hawliad ar y cyd",
        "Mae {inviter} wedi eich gwahodd i Gofal Plant Uniongyrchol, i weld ac ateb anfonebau a "
        "chaniatâd gofal plant eich hawliad Credyd Cynhwysol ar y cyd.\n\nO fewn 7 diwrnod, "
        "mewngofnodwch gyda'r cyfeiriad e-bost hwn a rhowch gyfeirnod eich hawliad a'ch rhif "
        "Yswiriant Gwladol eich hun: {link}\n\nOs nad ydych chi'n rhannu hawliad Credyd Cynhwysol "
        "gyda {inviter}, gallwch anwybyddu'r e-bost hwn.",
    ),
    "dispute_decided": Template(
        "Mae DWP wedi penderfynu ar eich anghydfod ynghylch anfoneb {invoice_number}",
        "Rydych chi wedi anghytuno ag anfoneb {invoice_number} gan {provider} am ofal {child}. "
        "Penderfyniad DWP: {reason}. {outcome}\n\nGweld yr anfoneb: {link}",
    ),
    "award_difference": Template(
        "Mae eich dyfarniad Credyd Cynhwysol yn caniatáu llai ar gyfer gofal plant nag a dalodd DWP "
        "am {start} i {end}",
        "Talodd DWP {paid} i'ch darparwyr gofal plant am eich cyfnod asesu o {start} i {end}. Mae "
        "eich dyfarniad Credyd Cynhwysol ar gyfer y cyfnod hwnnw, a gyfrifwyd ers hynny, yn caniatáu "
        "{element} ar gyfer costau gofal plant.\n\nMae'r gwahaniaeth, {difference}, wedi'i gofnodi "
        "yn erbyn eich hawliad Credyd Cynhwysol. Nid yw'n cael ei gymryd yn ôl oddi wrth eich darparwyr, "
        "ac nid oes angen i chi dalu rhagor iddyn nhw oherwydd hynny. Bydd DWP yn dweud wrthych "
        "beth sy'n digwydd nesaf.\n\nGweld y cyfnod asesu: {link}",
    ),
}
