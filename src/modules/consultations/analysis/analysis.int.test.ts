import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text, type Page } from '../../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { systemContext } from '../../../platform/auth/principal.js'
import { ModerationService } from '../moderation/moderation.service.js'
import { ConsultationService } from '../consultation.service.js'
import { AnalysisService, ANALYSIS_SCOPE } from './analysis.service.js'

type Answers = Record<string, string | string[]>
type Respondent = { type?: 'individual' | 'organisation'; name?: string; email?: string | null; channel?: string }

describe('consultation analysis', () => {
  let t: TestApp
  let service: AnalysisService
  let analyst: TestClient
  let orgId: string
  let consultationId: string
  let q1: string
  let q2: string
  let q3: string
  let seq = 0

  async function makeConsultation(title: string, questions: { type: string; title: string; options?: string[] }[]) {
    const db = t.app.kernel.db
    const { rows } = await sql<{ id: string }>`
      insert into consultations.consultation (organisation_id, title, summary, opens_at, closes_at, published_at, status)
      values (${orgId}, ${title}, 'A summary', now() - interval '2 days', now() + interval '30 days', now(), 'open')
      returning id`.execute(db)
    const id = rows[0]!.id
    const ids: string[] = []
    for (const [i, q] of questions.entries()) {
      const { rows: qr } = await sql<{ id: string }>`
        insert into consultations.question (consultation_id, position, type, title, options)
        values (${id}, ${i + 1}, ${q.type}, ${q.title}, ${JSON.stringify(q.options ?? [])}::jsonb)
        returning id`.execute(db)
      ids.push(qr[0]!.id)
    }
    return { id, questions: ids }
  }

  async function respond(consultation: string, answers: Answers, who: Respondent = {}) {
    seq++
    const { rows } = await sql<{ id: string }>`
      insert into consultations.response
        (consultation_id, reference, answers, respondent_type, respondent_name, email, publication, may_contact, channel, submitted_at)
      values (${consultation}, ${`CR-TEST-${String(seq).padStart(4, '0')}`}, ${JSON.stringify(answers)}::jsonb,
              ${who.type ?? 'individual'}, ${who.name ?? `Person ${seq}`}, ${who.email === undefined ? `p${seq}@example.org` : who.email},
              'publish-with-name', false, ${who.channel ?? 'online'}, now() + ${`${seq} milliseconds`}::interval)
      returning id`.execute(t.app.kernel.db)
    return rows[0]!.id
  }

  const cells = (page: Page, captionId: string) =>
    page
      .$(`#${captionId}`)
      .closest('table')
      .find('tbody tr')
      .map((_, tr) =>
        page
          .$(tr)
          .find('th, td')
          .map((__, c) => page.$(c).text().trim())
          .get()
          .join('|'),
      )
      .get()

  before(async () => {
    t = await testApp({}, { runJobWorkers: false })
    const { kernel } = t.app
    service = new AnalysisService(kernel)
    const a = await makeStaff(kernel, 'fife-council', ['analyst'], { name: 'Anna Analyst' })
    orgId = a.organisation.id
    analyst = new TestClient(t.app)
    await signIn(analyst, kernel, a.account.email, PASSWORD)

    const c = await makeConsultation('Buses in Fife', [
      { type: 'single-choice', title: 'Do you use the bus?', options: ['Yes', 'No'] },
      { type: 'multiple-choice', title: 'Which services?', options: ['A', 'B', 'C'] },
      { type: 'long-text', title: 'What should change?' },
    ])
    consultationId = c.id
    ;[q1, q2, q3] = c.questions as [string, string, string]
    await respond(consultationId, { [q1]: 'Yes', [q2]: ['A', 'B'], [q3]: 'Buses are too expensive for families' })
    await respond(consultationId, { [q1]: 'No', [q2]: ['A'], [q3]: 'Trains are always late in winter' })
    await respond(
      consultationId,
      { [q1]: 'Yes', [q2]: ['C'], [q3]: 'The bus timetable is confusing and late' },
      { type: 'organisation', channel: 'post' },
    )
    await respond(consultationId, { [q1]: 'Yes', [q2]: ['A'], [q3]: '   ' })
    await respond(
      consultationId,
      { [q1]: 'No', [q2]: ['B', 'C'], [q3]: 'Fares for a family should be lower' },
      { type: 'organisation' },
    )
    await respond(consultationId, {})
  })
  after(async () => {
    await t.close()
  })

  it('counts each question with a chart and a table, and leaves other bodies out', async () => {
    const page = await analyst.get(`/manage/consultations/${consultationId}/analysis`)
    assert.equal(page.status, 200)
    assert.match(text(page.$, '[role="status"]'), /6 responses counted/)
    assert.deepEqual(cells(page, 'options-1-caption'), ['Yes|3|60%', 'No|2|40%'])
    assert.deepEqual(cells(page, 'options-2-caption'), ['A|3|60%', 'B|2|40%', 'C|2|40%'])
    const svg = page.$('svg[role="img"]').first()
    assert.match(svg.find('desc').text(), /Yes: 3 \(60%\); No: 2 \(40%\)/)
    assert.match(text(page.$, '#question-3 + p'), /answered by 4 respondents/)

    const organisations = await analyst.get(
      `/manage/consultations/${consultationId}/analysis?respondentType=organisation`,
    )
    assert.deepEqual(cells(organisations, 'options-1-caption'), ['Yes|1|50%', 'No|1|50%'])

    const other = await makeStaff(t.app.kernel, 'dundee-city-council', ['analyst', 'org-admin'])
    const outsider = new TestClient(t.app)
    await signIn(outsider, t.app.kernel, other.account.email, PASSWORD)
    assert.equal((await outsider.get(`/manage/consultations/${consultationId}/analysis`)).status, 404)
    const manager = await makeStaff(t.app.kernel, 'fife-council', ['consultation-manager'])
    const managerClient = new TestClient(t.app)
    await signIn(managerClient, t.app.kernel, manager.account.email, PASSWORD)
    assert.equal((await managerClient.get(`/manage/consultations/${consultationId}/analysis`)).status, 403)
  })

  it('cross-tabulates by respondent type and by another choice question', async () => {
    const byType = await analyst.get(`/manage/consultations/${consultationId}/analysis/questions/${q1}/crosstab`)
    assert.equal(byType.status, 200)
    assert.deepEqual(cells(byType, 'crosstab-caption'), ['Yes|2 (67%)|1 (50%)', 'No|1 (33%)|1 (50%)'])
    const byQ1 = await analyst.get(`/manage/consultations/${consultationId}/analysis/questions/${q2}/crosstab?by=${q1}`)
    assert.deepEqual(cells(byQ1, 'crosstab-caption'), ['A|2 (67%)|1 (50%)', 'B|1 (33%)|1 (50%)', 'C|1 (33%)|1 (50%)'])
  })

  it('searches the answers with full text and filters, a page at a time', async () => {
    const page = await analyst.get(`/manage/consultations/${consultationId}/analysis/questions/${q3}/answers?q=late`)
    assert.equal(page.status, 200)
    assert.match(text(page.$, '#answers-count'), /2 answers found/)
    assert.match(text(page.$, 'main'), /Trains are always late in winter/)
    assert.doesNotMatch(text(page.$, 'main'), /Fares for a family/)
    // stemming: "families" finds "family" and "families"
    const families = await analyst.get(
      `/manage/consultations/${consultationId}/analysis/questions/${q3}/answers?q=families`,
    )
    assert.match(text(families.$, '#answers-count'), /2 answers found/)
    const organisations = await analyst.get(
      `/manage/consultations/${consultationId}/analysis/questions/${q3}/answers?q=late&respondentType=organisation&channel=post`,
    )
    assert.match(text(organisations.$, '#answers-count'), /1 answer found/)
    assert.match(text(organisations.$, 'main'), /bus timetable/)

    const first = await analyst.request(
      'GET',
      `/api/v1/consultations/${consultationId}/analysis/questions/${q3}/answers?limit=2`,
    )
    const body = JSON.parse(first.body) as { items: { text: string }[]; total: number; next: number | null }
    assert.equal(body.total, 4)
    assert.equal(body.items.length, 2)
    assert.ok(body.next)
    const second = JSON.parse(
      (
        await analyst.request(
          'GET',
          `/api/v1/consultations/${consultationId}/analysis/questions/${q3}/answers?limit=2&after=${body.next}`,
        )
      ).body,
    ) as typeof body
    assert.equal(second.items.length, 2)
    assert.equal(second.next, null)
    assert.deepEqual(
      [...body.items, ...second.items].map((i) => i.text.split(' ')[0]),
      ['Buses', 'Trains', 'The', 'Fares'],
    )
  })

  it('codes answers from a codebook, one by one and in bulk from a search, with notes', async () => {
    const base = `/manage/consultations/${consultationId}/analysis/questions/${q3}`
    const empty = await analyst.submit(`${base}/themes`, { name: '', description: '' })
    assert.equal(empty.status, 422)
    assert.match(text(empty.$, '.ds_error-summary'), /Enter the theme/)
    assert.equal(
      (await analyst.submit(`${base}/themes`, { name: 'Reliability', description: 'Late or cancelled' })).status,
      303,
    )
    assert.equal((await analyst.submit(`${base}/themes`, { name: 'Cost', description: '' })).status, 303)
    const taken = await analyst.submit(`${base}/themes`, { name: 'cost', description: '' })
    assert.match(text(taken.$, '#name-error'), /already has a theme/)

    const tagged = await analyst.submit(`${base}/answers?q=late`, {
      themeId: (await service.themes(systemContext('test'), consultationId, q3)).find((x) => x.name === 'Reliability')!
        .id,
    })
    assert.equal(tagged.status, 303)
    const after = await analyst.follow(tagged)
    assert.match(text(after.$, '.ds_notification-panel'), /2 answers tagged/)
    assert.equal(after.$('.ds_tag:contains("Reliability")').length, 2)

    const cost = (await service.themes(systemContext('test'), consultationId, q3)).find((x) => x.name === 'Cost')!
    const all = await service.answers(systemContext('test'), consultationId, q3, { q: 'fares', filters: {} })
    const fares = all.page.items[0]!
    const coded = await analyst.submit(`/manage/consultations/${consultationId}/analysis/answers/${fares.id}`, {
      themes: [cost.id],
    })
    assert.equal(coded.status, 303)
    const note = await analyst.submit(
      `/manage/consultations/${consultationId}/analysis/answers/${fares.id}`,
      { note: 'Mentions families on low incomes' },
      { formSelector: 'form[action$="/notes"]' },
    )
    assert.equal(note.status, 303)
    const answerPage = await analyst.follow(note)
    assert.match(text(answerPage.$, '#notes ~ .ds_inset-text'), /Mentions families on low incomes/)
    assert.equal(answerPage.$('input[name="themes"]:checked').length, 1)

    const overview = await analyst.get(`/manage/consultations/${consultationId}/analysis`)
    assert.match(text(overview.$, '#question-3 ~ p'), /3 of 4 answers coded \(75%\)/)
    assert.deepEqual(cells(overview, 'themes-3-caption'), ['Reliability|2|50%', 'Cost|1|25%'])
    const crosstab = await analyst.get(`${base}/crosstab`)
    assert.deepEqual(cells(crosstab, 'crosstab-caption'), ['Cost|0 (0%)|1 (50%)', 'Reliability|1 (100%)|1 (50%)'])

    const uncoded = await analyst.get(`${base}/answers?theme=none`)
    assert.match(text(uncoded.$, '#answers-count'), /1 answer found/)
    const audit = await sql<{
      action: string
    }>`select action from core.audit_event where action like 'consultation.answer%'`.execute(t.app.kernel.db)
    assert.deepEqual(audit.rows.map((r) => r.action).sort(), [
      'consultation.answer-coded',
      'consultation.answer-note-added',
      'consultation.answers-coded-in-bulk',
    ])
  })

  it('finds duplicates, campaigns and blank responses, and lets the analyst exclude or merge them with a reason', async () => {
    const c = await makeConsultation('Ferries', [
      { type: 'single-choice', title: 'Do you agree?', options: ['Yes', 'No'] },
      { type: 'long-text', title: 'Why?' },
    ])
    const [a, b] = c.questions as [string, string]
    const template =
      'I strongly oppose the reduction of ferry services to the islands because communities depend on them every day'
    await respond(c.id, { [a]: 'No', [b]: template }, { name: 'Iain', email: 'iain@example.org' })
    await respond(c.id, { [a]: 'No', [b]: template.replace('strongly oppose', 'firmly oppose') })
    await respond(c.id, { [a]: 'No', [b]: `${template}.` })
    await respond(c.id, { [a]: 'No', [b]: template.replace('every day', 'every single day') })
    await respond(c.id, { [a]: 'Yes', [b]: 'Timetables on the west coast are fine as they are for me and my family' })
    await respond(c.id, { [a]: 'Yes', [b]: 'Something else' }, { name: 'iain ', email: 'IAIN@example.org' })
    await respond(c.id, {})
    await respond(c.id, { [b]: '  ' })
    // the same text twice is a duplicate; the same boxes ticked by two people is not
    await respond(c.id, { [a]: 'Yes', [b]: 'Ferries to Coll should run daily' })
    await respond(c.id, { [a]: 'Yes', [b]: 'Ferries to Coll should run daily' })
    await respond(c.id, { [a]: 'No' })
    await respond(c.id, { [a]: 'No' })

    const run = await analyst.submit(`/manage/consultations/${c.id}/analysis/quality`, {})
    assert.equal(run.status, 303)
    const waiting = await analyst.follow(run)
    assert.equal(waiting.headers.refresh, '3')
    const latest = await sql<{
      id: string
    }>`select id from consultations.quality_run where consultation_id = ${c.id}`.execute(t.app.kernel.db)
    const summary = await service.runDetection(latest.rows[0]!.id)
    assert.equal(summary.campaign, 1)
    assert.equal(summary.campaignResponses, 4)
    assert.equal(summary['duplicate-identity'], 1)
    assert.equal(summary.blank, 2)
    assert.equal(summary['duplicate-answers'], 1)

    const page = await analyst.get(`/manage/consultations/${c.id}/analysis/quality`)
    assert.equal(page.headers.refresh, undefined)
    const campaignLink = page.$('#kind-campaign').next().find('a').first()
    assert.match(campaignLink.text(), /strongly oppose the reduction of ferry services/)
    assert.equal(page.$('#kind-campaign').next().find('td').eq(1).text(), '4')
    assert.equal(page.$('#kind-blank').next().find('td').eq(1).text(), '2')

    const groupUrl = campaignLink.attr('href')!
    const noReason = await analyst.submit(groupUrl, { outcome: 'exclude', reason: '' })
    assert.equal(noReason.status, 422)
    assert.match(text(noReason.$, '#reason-error'), /Enter the reason/)
    assert.equal((await analyst.submit(groupUrl, { outcome: 'exclude', reason: 'Organised campaign' })).status, 303)
    const group = await analyst.get(groupUrl)
    assert.equal(group.$('td:contains("Excluded")').length, 4)

    const overview = await analyst.get(`/manage/consultations/${c.id}/analysis`)
    assert.match(text(overview.$, '[role="status"]'), /8 responses counted/)
    const excluded = await analyst.get(`/manage/consultations/${c.id}/analysis?flag=excluded`)
    assert.match(text(excluded.$, '[role="status"]'), /4 responses counted/)

    const identity = page.$('#kind-duplicate-identity').next().find('a').first().attr('href')!
    assert.equal((await analyst.submit(identity, { outcome: 'merge', reason: 'Same person twice' })).status, 303)
    const statuses = await sql<{ outcome: string; merged: boolean }>`
      select s.outcome, s.merged_into is not null as merged from consultations.response_status s
      join consultations.response r on r.id = s.response_id
      where r.consultation_id = ${c.id} and r.respondent_name ilike 'iain%' order by r.submitted_at`.execute(
      t.app.kernel.db,
    )
    // the campaign decision on the first was replaced by the merge, which keeps the earliest
    assert.deepEqual(statuses.rows, [
      { outcome: 'keep', merged: false },
      { outcome: 'merge', merged: true },
    ])
    const count = await sql<{
      n: number
    }>`select count(*)::int as n from consultations.response where consultation_id = ${c.id}`.execute(t.app.kernel.db)
    assert.equal(count.rows[0]!.n, 12, 'nothing is deleted')
    const decisions = await sql<{
      n: number
    }>`select count(*)::int as n from core.audit_event where action in ('consultation.responses-excluded', 'consultation.responses-merged')`.execute(
      t.app.kernel.db,
    )
    assert.equal(decisions.rows[0]!.n, 2)
  })

  it('exports every response with respondent information, themes and notes as an Excel workbook and as CSV', async () => {
    const form = await analyst.submit(`/manage/consultations/${consultationId}/analysis/exports`, {})
    assert.equal(form.status, 422)
    assert.match(text(form.$, '.ds_error-summary'), /Choose a format/)

    const requested = await analyst.submit(`/manage/consultations/${consultationId}/analysis/exports`, {
      format: 'xlsx',
    })
    assert.equal(requested.status, 303)
    const progress = await analyst.follow(requested)
    assert.equal(progress.headers.refresh, '3')
    assert.match(text(progress.$, 'main'), /waiting to start/)
    const exportId = requested.location!.split('/').pop()!
    // as the module wires it: each response's moderation state comes from the moderation part
    const moderation = new ModerationService(t.app.kernel, new ConsultationService(t.app.kernel))
    await service.runExport(exportId, (ids) => moderation.summaryFor(ids))
    const done = await analyst.get(requested.location!)
    assert.equal(done.headers.refresh, undefined)
    assert.match(text(done.$, 'main'), /6 of 6 responses \(100%\)/)
    const link = done.$('a[download]').attr('href')!
    const download = await analyst.get(link)
    assert.equal(download.status, 200)
    assert.equal(download.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    assert.match(String(download.headers['content-disposition']), /attachment; filename="responses-.*\.xlsx"/)
    const parts: Buffer[] = []
    for await (const c of (await service.download(systemContext('test'), consultationId, exportId)).chunks)
      parts.push(c)
    const file = Buffer.concat(parts)
    assert.equal(file.length, Number(download.headers['content-length']))
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(file as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]!
    const header = (sheet.getRow(1).values as unknown[]).slice(1)
    assert.ok(header.includes('Reference'))
    assert.ok(header.includes('Q3. What should change?'))
    assert.ok(header.includes('Q3 themes'))
    assert.equal(sheet.actualRowCount, 7)
    const col = (name: string) => header.indexOf(name) + 1
    const rows = Array.from({ length: 6 }, (_, i) => sheet.getRow(i + 2))
    const fares = rows.find((r) => r.getCell(col('Q3. What should change?')).text.startsWith('Fares'))!
    assert.equal(fares.getCell(col('Q3 themes')).value, 'Cost')
    assert.equal(fares.getCell(col('Q3 notes')).value, 'Mentions families on low incomes')
    assert.equal(fares.getCell(col('Respondent type')).value, 'organisation')
    assert.equal(fares.getCell(col('Q2. Which services?')).value, 'B; C')
    // no answer has been moderated yet in this consultation
    assert.equal(fares.getCell(col('Moderation')).value, 'not moderated')

    const csv = await service.requestExport(systemContext('test'), consultationId, 'csv')
    await service.runExport(csv.id)
    const { chunks } = await service.download(systemContext('test'), consultationId, csv.id)
    let body = ''
    for await (const c of chunks) body += c.toString('utf8')
    const lines = body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n')
    assert.equal(lines.length, 7)
    assert.match(lines[0]!, /^Reference,Submitted at,Channel/)
    assert.ok(lines.some((l) => l.includes('Trains are always late in winter') && l.includes('Reliability')))
  })

  it('shows the analysis pages in Gaelic', async () => {
    const a = await makeStaff(t.app.kernel, 'fife-council', ['analyst'])
    const gaelic = new TestClient(t.app)
    await signIn(gaelic, t.app.kernel, a.account.email, PASSWORD)
    await gaelic.get('/language/gd?return=/')
    const base = `/manage/consultations/${consultationId}/analysis`
    for (const [path, heading] of [
      [base, 'Mion-sgrùdadh nam freagairtean'],
      [`${base}/questions/${q3}/answers`, 'Freagairtean'],
      [`${base}/questions/${q3}/themes`, 'Leabhar-chòdan'],
      [`${base}/questions/${q1}/crosstab`, 'Clàr-tarsainn'],
      [`${base}/quality`, 'Càileachd an dàta'],
      [`${base}/exports`, 'Às-phortaich na freagairtean'],
    ] as const) {
      const page = await gaelic.get(path)
      assert.equal(page.status, 200, path)
      assert.equal(text(page.$, 'main h1'), heading)
      assert.doesNotMatch(text(page.$, 'main'), /consultations\.analysis\./, `no untranslated keys on ${path}`)
    }
  })

  it('keeps a very long answer, and finds it by a word near its end', async () => {
    const c = await makeConsultation('Long answers', [{ type: 'long-text', title: 'Tell us everything' }])
    const long = `${'The harbour wall needs repair before winter storms arrive. '.repeat(400)}Puffins nest nearby.`
    await respond(c.id, { [c.questions[0]!]: long })
    const found = await service.answers(systemContext('test'), c.id, c.questions[0]!, { q: 'puffin', filters: {} })
    assert.equal(found.page.total, 1)
    assert.equal(found.page.items[0]!.value.length, long.length)
  })

  it('answers the API only with the analysis scope', async () => {
    const principal = await t.app.kernel.accounts.principalFor(
      t.app.kernel.db,
      (await makeStaff(t.app.kernel, 'fife-council', ['analyst'])).account.id,
      'session',
      null,
    )
    const token = async (scopes: string[]) =>
      (
        await t.app.kernel.apiTokens.create(
          { ...systemContext('test'), principal },
          { name: `t${Math.random()}`, scopes, expiresInDays: 30 },
        )
      ).token
    const ok = await t.app.inject({
      url: `/api/v1/consultations/${consultationId}/analysis`,
      headers: { authorization: `Bearer ${await token([ANALYSIS_SCOPE])}` },
    })
    assert.equal(ok.statusCode, 200)
    const body = ok.json<{ responses: number; questions: { options: { value: string; count: number }[] }[] }>()
    assert.equal(body.responses, 6)
    assert.deepEqual(
      body.questions[0]!.options.map((o) => [o.value, o.count]),
      [
        ['Yes', 3],
        ['No', 2],
      ],
    )
    const refused = await t.app.inject({
      url: `/api/v1/consultations/${consultationId}/analysis`,
      headers: { authorization: `Bearer ${await token(['consultations:read'])}` },
    })
    assert.equal(refused.statusCode, 403)
    const openapi = (await t.app.inject({ url: '/api/openapi.json' })).json<{ paths: Record<string, unknown> }>()
    for (const path of [
      '/api/v1/consultations/{id}/analysis',
      '/api/v1/consultations/{id}/analysis/questions/{questionId}/answers',
      '/api/v1/consultations/{id}/analysis/questions/{questionId}/crosstab',
      '/api/v1/consultations/{id}/analysis/quality',
    ])
      assert.ok(path in openapi.paths, `${path} is in the OpenAPI document`)
  })
})
