// Representatives' pages: finding your representatives by postcode, the list of all, each
// representative's page with their free surgery slots, booking and cancelling an appointment; a
// body's staff keeping representatives and the postcode lookup (by hand or CSV); and the
// representative's office publishing surgery slots and adding people to the office.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, formSchema, keepQuery } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import type { Organisation } from '../../../../platform/organisations/organisation.service.js'
import {
  areaKinds,
  representativeRoles,
  surgeryModes,
  type Representative,
  type RepresentativeInput,
  type RepresentativeService,
  type SlotInput,
} from '../representatives.service.js'
import { orgName, representativeView, slotView } from './views.js'

const V = 'participation/community'
const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) })
const SlotParams = Type.Object({ id: Type.String({ maxLength: 100 }), slotId: Type.String({ maxLength: 100 }) })
const MemberParams = Type.Object({ id: Type.String({ maxLength: 100 }), accountId: Type.String({ maxLength: 100 }) })
const FindQuery = Type.Object({ postcode: Type.Optional(Type.String({ maxLength: 50 })) })
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  role: Type.Optional(Type.String({ maxLength: 20 })),
  organisation: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
})
const repForm = formSchema(
  ['organisationId', 'name', 'role', 'party', 'areaKind', 'areaCode', 'areaName', 'email', 'accountEmail'],
  1000,
)
const csvForm = formSchema(['organisationId', 'csv'], 1_000_000)
const smallForm = formSchema(['topic', 'mode', 'date', 'startTime', 'endTime', 'location', 'joiningUrl', 'email'], 3000)

export const representativesWeb: FastifyPluginAsyncTypebox<{ representatives: RepresentativeService }> = async (
  app,
  { representatives },
) => {
  const section = { section: 'representatives' }

  // --- public ---

  app.get('/representatives', { schema: { querystring: FindQuery } }, async (request, reply) => {
    const postcode = request.query.postcode
    if (postcode === undefined) {
      return reply.render(`${V}/rep-find.njk`, {
        ...section,
        title: request.t('participation.find.title'),
        values: { postcode: '' },
      })
    }
    try {
      const found = await representatives.find(postcode)
      return reply.render(`${V}/rep-find.njk`, {
        ...section,
        title: request.t('participation.find.title'),
        values: { postcode },
        found: {
          areas: found.areas,
          representatives: found.representatives.map((r) => representativeView(r, request.t)),
        },
      })
    } catch (error) {
      const fieldErrors = fieldErrorsOf(error)
      if (!fieldErrors) throw error
      return reply.render(
        `${V}/rep-find.njk`,
        { ...section, title: request.t('participation.find.title'), values: { postcode }, fieldErrors },
        // A well-formed postcode we do not hold is an answer, not a mistake in the form.
        200,
      )
    }
  })

  app.get('/representatives/all', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const result = await representatives.list({ ...request.query })
    const qs = keepQuery(request.query)
    return reply.render(`${V}/rep-list.njk`, {
      ...section,
      title: request.t('participation.rep.list.title'),
      query: request.query,
      roleOptions: [
        { value: '', text: request.t('participation.rep.list.allRoles') },
        ...representativeRoles.map((r) => ({ value: r, text: request.t(`participation.rep.role.${r}`) })),
      ],
      result: {
        ...result,
        items: result.items.map((r) => ({
          ...representativeView(r, request.t),
          organisationName: orgName(r.organisation, request.locale),
        })),
      },
      pageBase: `/representatives/all?${qs ? `${qs}&` : ''}`,
      csvHref: `/api/v1/representatives.csv${qs ? `?${qs}` : ''}`,
      jsonHref: `/api/v1/representatives${qs ? `?${qs}` : ''}`,
    })
  })

  app.get('/representatives/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const rep = await representatives.get(request.params.id)
    const organisation = await app.kernel.organisations.getById(rep.organisationId)
    return reply.render(`${V}/rep-show.njk`, {
      ...section,
      title: rep.name,
      rep: representativeView(rep, request.t),
      organisationName: orgName(organisation, request.locale),
      slots: (await representatives.slots(rep.id)).map((s) => slotView(s, request.t, request.locale)),
      inOffice: await representatives.inOffice(request.principal, rep),
    })
  })

  async function renderBook(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { id: string; slotId: string },
    values: { topic: string },
    fieldErrors?: Record<string, string>,
  ) {
    const rep = await representatives.get(params.id)
    const slot = await representatives.slot(rep.id, params.slotId)
    return reply.render(
      `${V}/surgery-book.njk`,
      {
        ...section,
        title: request.t('participation.surgery.book.title'),
        rep: representativeView(rep, request.t),
        slot: slotView(slot, request.t, request.locale),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/representatives/:id/surgeries/:slotId', { schema: { params: SlotParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderBook(request, reply, request.params, { topic: '' })
  })

  app.post(
    '/representatives/:id/surgeries/:slotId',
    { schema: { params: SlotParams, body: smallForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const topic = field(request.body, 'topic', 2000)
      try {
        const booking = await representatives.book(request.ctx(), request.params.id, request.params.slotId, topic)
        return reply.redirect(`/surgery-bookings/${booking.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderBook(request, reply, request.params, { topic }, fieldErrors)
      }
    },
  )

  app.get('/surgery-bookings', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const bookings = await representatives.myBookings(request.ctx())
    return reply.render(`${V}/surgery-bookings.njk`, {
      ...section,
      title: request.t('participation.surgery.mine.title'),
      bookings: bookings.map((b) => ({ ...b, slot: slotView(b.slot, request.t, request.locale) })),
    })
  })

  app.get('/surgery-bookings/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const b = await representatives.booking(request.ctx(), request.params.id)
    return reply.render(`${V}/surgery-booking.njk`, {
      ...section,
      title: request.t('participation.surgery.booking.title', { name: b.representative.name }),
      booking: b,
      slot: slotView(b.slot, request.t, request.locale),
      active: !b.cancelledAt && !b.slot.cancelledAt && b.slot.startsAt.getTime() > Date.now(),
    })
  })

  app.get('/surgery-bookings/:id/calendar.ics', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const text = await representatives.bookingCalendar(request.ctx(), request.params.id)
    reply
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('content-disposition', `attachment; filename="surgery-${request.params.id}.ics"`)
      .header('cache-control', 'no-store')
    return reply.send(text)
  })

  app.post(
    '/surgery-bookings/:id/cancel',
    { schema: { params: IdParams, body: smallForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await representatives.cancelBooking(request.ctx(), request.params.id)
      return reply.redirect(`/surgery-bookings/${request.params.id}`, 303)
    },
  )

  // --- a body's staff ---

  app.get('/manage/representatives', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const bodies = await representatives.bodiesFor(request.ctx())
    const lists = []
    for (const body of bodies) {
      const page = await representatives.list({ organisation: body.slug, pageSize: 500 })
      // Platform administrators may keep any body's representatives; they see only the bodies that have some.
      if (page.items.length === 0 && request.principal?.isPlatformAdmin) continue
      lists.push({
        name: orgName(body, request.locale),
        items: page.items.map((r) => representativeView(r, request.t)),
      })
    }
    return reply.render(`${V}/rep-manage-list.njk`, {
      section: 'manage',
      title: request.t('participation.rep.manage.title'),
      lists,
      canAdd: bodies.length > 0,
      canImportPostcodes:
        request.principal?.isPlatformAdmin || (await representatives.canImportPostcodes(request.ctx())) !== null,
      postcodeCount: await representatives.postcodeCount(),
    })
  })

  const repInput = (body: unknown): RepresentativeInput => ({
    name: field(body, 'name', 300),
    role: field(body, 'role', 20),
    party: field(body, 'party', 200),
    areaKind: field(body, 'areaKind', 20),
    areaCode: field(body, 'areaCode', 40),
    areaName: field(body, 'areaName', 300),
    email: field(body, 'email', 300),
  })

  const bodyOptions = (request: FastifyRequest, bodies: Organisation[]) => [
    { value: '', text: request.t('participation.rep.form.chooseBody') },
    ...bodies.map((b) => ({ value: b.id, text: orgName(b, request.locale) })),
  ]

  async function renderRepForm(
    request: FastifyRequest,
    reply: FastifyReply,
    values: RepresentativeInput & { organisationId?: string; accountEmail?: string },
    rep: Representative | null,
    fieldErrors?: Record<string, string>,
  ) {
    return reply.render(
      `${V}/rep-form.njk`,
      {
        section: 'manage',
        title: request.t(rep ? 'participation.rep.form.editTitle' : 'participation.rep.form.newTitle'),
        action: rep ? `/manage/representatives/${rep.id}/edit` : '/manage/representatives/new',
        rep,
        bodyOptions: rep ? [] : bodyOptions(request, await representatives.bodiesFor(request.ctx())),
        roleItems: representativeRoles.map((r) => ({ value: r, text: request.t(`participation.rep.role.${r}`) })),
        areaKindItems: areaKinds.map((k) => ({ value: k, text: request.t(`participation.rep.areaKind.${k}`) })),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  const blank: RepresentativeInput = {
    name: '',
    role: '',
    party: '',
    areaKind: '',
    areaCode: '',
    areaName: '',
    email: '',
  }

  app.get('/manage/representatives/new', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const bodies = await representatives.bodiesFor(request.ctx())
    return renderRepForm(request, reply, { ...blank, organisationId: bodies.length === 1 ? bodies[0]!.id : '' }, null)
  })

  app.post(
    '/manage/representatives/new',
    { schema: { body: repForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = { ...repInput(request.body), organisationId: field(request.body, 'organisationId', 100) }
      try {
        if (values.organisationId === '')
          return renderRepForm(request, reply, values, null, {
            organisationId: 'participation.rep.validation.bodyRequired',
          })
        const rep = await representatives.create(request.ctx(), values.organisationId, values)
        return reply.redirect(`/manage/representatives/${rep.id}/edit`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderRepForm(request, reply, values, null, fieldErrors)
      }
    },
  )

  const forStaff = async (request: FastifyRequest, id: string) => {
    const rep = await representatives.get(id)
    representatives.requireStaff(request.ctx(), rep)
    return rep
  }

  app.get('/manage/representatives/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const rep = await forStaff(request, request.params.id)
    const account = rep.accountId ? await app.kernel.accounts.get(rep.accountId) : null
    return renderRepForm(request, reply, { ...rep, accountEmail: account?.email ?? '' }, rep)
  })

  app.post(
    '/manage/representatives/:id/edit',
    { schema: { params: IdParams, body: repForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const rep = await forStaff(request, request.params.id)
      const values = repInput(request.body)
      try {
        await representatives.update(request.ctx(), rep.id, values)
        return reply.redirect('/manage/representatives', 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderRepForm(request, reply, values, rep, fieldErrors)
      }
    },
  )

  app.post(
    '/manage/representatives/:id/account',
    { schema: { params: IdParams, body: repForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const rep = await forStaff(request, request.params.id)
      const accountEmail = field(request.body, 'accountEmail', 300)
      try {
        await representatives.linkAccount(request.ctx(), rep.id, accountEmail)
        return reply.redirect(`/manage/representatives/${rep.id}/edit`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderRepForm(request, reply, { ...rep, accountEmail }, rep, fieldErrors)
      }
    },
  )

  async function renderImport(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: 'representatives' | 'postcodes',
    values: { organisationId: string; csv: string },
    fieldErrors?: Record<string, string>,
  ) {
    return reply.render(
      `${V}/rep-import.njk`,
      {
        section: 'manage',
        title: request.t(
          kind === 'postcodes' ? 'participation.import.postcodesTitle' : 'participation.import.representativesTitle',
        ),
        kind,
        action: kind === 'postcodes' ? '/manage/representatives/postcodes' : '/manage/representatives/import',
        bodyOptions: kind === 'postcodes' ? [] : bodyOptions(request, await representatives.bodiesFor(request.ctx())),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  for (const kind of ['representatives', 'postcodes'] as const) {
    const path = kind === 'postcodes' ? '/manage/representatives/postcodes' : '/manage/representatives/import'
    app.get(path, async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      if (kind === 'postcodes') await representatives.requirePostcodeKeeper(request.ctx())
      const bodies = await representatives.bodiesFor(request.ctx())
      return renderImport(request, reply, kind, { organisationId: bodies.length === 1 ? bodies[0]!.id : '', csv: '' })
    })
    app.post(path, { schema: { body: csvForm }, attachValidation: true }, async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        organisationId: field(request.body, 'organisationId', 100),
        csv: field(request.body, 'csv', 1_000_000),
      }
      try {
        if (kind === 'postcodes') {
          const { imported } = await representatives.importPostcodes(request.ctx(), values.csv)
          return reply.render(`${V}/rep-imported.njk`, {
            section: 'manage',
            title: request.t('participation.import.doneTitle'),
            text: request.t('participation.import.postcodesDone', { count: imported }),
          })
        }
        if (values.organisationId === '')
          return renderImport(request, reply, kind, values, {
            organisationId: 'participation.rep.validation.bodyRequired',
          })
        const { added, updated } = await representatives.importCsv(request.ctx(), values.organisationId, values.csv)
        return reply.render(`${V}/rep-imported.njk`, {
          section: 'manage',
          title: request.t('participation.import.doneTitle'),
          text: request.t('participation.import.representativesDone', { added, updated }),
        })
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderImport(request, reply, kind, values, fieldErrors)
      }
    })
  }

  // --- the representative's office ---

  app.get('/office', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const offices = await representatives.officesOf(request.ctx())
    return reply.render(`${V}/office-list.njk`, {
      section: 'representatives',
      title: request.t('participation.office.title'),
      offices: offices.map((r) => representativeView(r, request.t)),
    })
  })

  async function renderOffice(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: SlotInput & { email: string },
    fieldErrors?: Record<string, string>,
  ) {
    const rep = await representatives.requireOffice(request.ctx(), id)
    const slots = await representatives.officeSlots(request.ctx(), rep.id)
    const isRepresentative = rep.accountId === request.principal?.accountId
    return reply.render(
      `${V}/office-show.njk`,
      {
        section: 'representatives',
        title: request.t('participation.office.officeOf', { name: rep.name }),
        rep: representativeView(rep, request.t),
        slots: slots.map((s) => ({ ...s, slot: slotView(s.slot, request.t, request.locale) })),
        members: await representatives.officeMembers(request.ctx(), rep.id),
        isRepresentative,
        modeItems: surgeryModes.map((m) => ({ value: m, text: request.t(`participation.surgery.mode.${m}`) })),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  const blankSlot = {
    mode: '',
    date: '',
    startTime: '10:00',
    endTime: '10:20',
    location: '',
    joiningUrl: '',
    email: '',
  }

  app.get('/office/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderOffice(request, reply, request.params.id, blankSlot)
  })

  app.post(
    '/office/:id/surgeries',
    { schema: { params: IdParams, body: smallForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        ...blankSlot,
        mode: field(request.body, 'mode', 20),
        date: field(request.body, 'date', 20),
        startTime: field(request.body, 'startTime', 10),
        endTime: field(request.body, 'endTime', 10),
        location: field(request.body, 'location', 600),
        joiningUrl: field(request.body, 'joiningUrl', 2100),
      }
      try {
        await representatives.createSlot(request.ctx(), request.params.id, values)
        return reply.redirect(`/office/${request.params.id}#surgeries`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderOffice(request, reply, request.params.id, values, fieldErrors)
      }
    },
  )

  app.post(
    '/office/:id/surgeries/:slotId/cancel',
    { schema: { params: SlotParams, body: smallForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await representatives.cancelSlot(request.ctx(), request.params.id, request.params.slotId)
      return reply.redirect(`/office/${request.params.id}#surgeries`, 303)
    },
  )

  app.post(
    '/office/:id/members',
    { schema: { params: IdParams, body: smallForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const email = field(request.body, 'email', 300)
      try {
        await representatives.addOfficeMember(request.ctx(), request.params.id, email)
        return reply.redirect(`/office/${request.params.id}#office`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderOffice(request, reply, request.params.id, { ...blankSlot, email }, fieldErrors)
      }
    },
  )

  app.post(
    '/office/:id/members/:accountId/remove',
    { schema: { params: MemberParams, body: smallForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await representatives.removeOfficeMember(request.ctx(), request.params.id, request.params.accountId)
      return reply.redirect(`/office/${request.params.id}#office`, 303)
    },
  )
}
