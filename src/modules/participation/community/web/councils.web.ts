// Community councils' pages: the public list and page of each, its meetings (agenda, papers,
// joining link, registration, minutes) and calendars; and the pages where council and community
// council staff add community councils, invite members and run meetings.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { Upload } from '../../../../platform/files/uploads.plugin.js'
import { field, fieldErrorsOf, fieldList, formSchema, keepQuery } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import type { Organisation } from '../../../../platform/organisations/organisation.service.js'
import { formatDateTime } from '../../../../shared/dates.js'
import { STAFF_ROLES } from '../community.access.js'
import { londonFields } from '../community.text.js'
import {
  joiningVisibilities,
  meetingKinds,
  type CommunityCouncilService,
  type Meeting,
  type MeetingInput,
} from '../councils.service.js'
import type { PollService } from '../polls.service.js'
import { meetingView, orgName } from './views.js'

const V = 'participation/community'
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })
const MeetingParams = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 100 }) })
const PaperParams = Type.Object({
  slug: Type.String({ maxLength: 100 }),
  id: Type.String({ maxLength: 100 }),
  paperId: Type.String({ maxLength: 100 }),
})
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  council: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
})
const meetingForm = formSchema(
  ['title', 'kind', 'date', 'startTime', 'endTime', 'location', 'joiningUrl', 'joiningVisibility', 'agenda'],
  20_000,
)
const anyForm = formSchema(
  [
    'councilId',
    'nameEn',
    'nameGd',
    'website',
    'adminEmail',
    'email',
    'roles',
    'attendance',
    'paperTitle',
    'paperUrl',
    'minutes',
  ],
  50_000,
)

export const councilsWeb: FastifyPluginAsyncTypebox<{ councils: CommunityCouncilService; polls: PollService }> = async (
  app,
  { councils, polls },
) => {
  const page = (request: FastifyRequest, cc?: Organisation) => ({
    section: 'community-councils',
    ...(cc ? { cc, ccName: orgName(cc, request.locale), headerOrganisation: orgName(cc, request.locale) } : {}),
  })

  // --- public ---

  app.get('/community-councils', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const result = await councils.list({ q: request.query.q, council: request.query.council, page: request.query.page })
    const qs = keepQuery(request.query)
    return reply.render(`${V}/cc-list.njk`, {
      ...page(request),
      title: request.t('participation.cc.list.title'),
      query: request.query,
      result: {
        ...result,
        items: result.items.map((i) => ({
          slug: i.cc.slug,
          name: orgName(i.cc, request.locale),
          council: orgName(i.council, request.locale),
          website: i.cc.website,
        })),
      },
      councilOptions: [
        { value: '', text: request.t('participation.cc.list.allCouncils') },
        ...(await councils.councils()).map((c) => ({ value: c.slug, text: orgName(c, request.locale) })),
      ],
      pageBase: `/community-councils?${qs ? `${qs}&` : ''}`,
      csvHref: `/api/v1/community-councils.csv${qs ? `?${qs}` : ''}`,
      jsonHref: `/api/v1/community-councils${qs ? `?${qs}` : ''}`,
      canManage: request.principal
        ? (await councils.manageable(request.ctx())).length > 0 ||
          (await councils.councilsFor(request.ctx())).length > 0
        : false,
    })
  })

  app.get('/community-councils/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    const cc = await councils.get(request.params.slug)
    const council = cc.parentId ? await app.kernel.organisations.getById(cc.parentId) : null
    const view = (m: Meeting) => meetingView(m, request.t, request.locale)
    return reply.render(`${V}/cc-show.njk`, {
      ...page(request, cc),
      title: orgName(cc, request.locale),
      councilName: orgName(council, request.locale),
      upcoming: (await councils.meetings(cc, { when: 'upcoming' })).map(view),
      past: (await councils.meetings(cc, { when: 'past' })).map(view),
      openPolls: await polls.openPolls(cc),
      results: await polls.publishedResults(cc),
      canManage: councils.canManage(request.ctx(), cc),
    })
  })

  app.get('/community-councils/:slug/meetings.ics', { schema: { params: SlugParams } }, async (request, reply) => {
    const cc = await councils.get(request.params.slug)
    reply
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('content-disposition', `inline; filename="${cc.slug}.ics"`)
    return reply.send(await councils.feed(cc))
  })

  async function renderMeeting(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { slug: string; id: string },
    fieldErrors?: Record<string, string>,
    values: Record<string, string> = {},
  ) {
    const cc = await councils.get(params.slug)
    const meeting = await councils.meeting(request.ctx(), cc, params.id)
    const registered = await councils.isRegistered(request.principal?.accountId, meeting.id)
    const manager = councils.canManage(request.ctx(), cc)
    const choices = councils.attendanceChoices(meeting)
    return reply.render(
      `${V}/meeting.njk`,
      {
        ...page(request, cc),
        title: meeting.title,
        meeting: meetingView(meeting, request.t, request.locale, { registered: registered !== null, manager }),
        papers: await councils.papers(meeting.id),
        registered,
        registeredText: registered ? request.t(`participation.meeting.attendance.${registered}`) : '',
        attendanceItems: choices.map((c) => ({ value: c, text: request.t(`participation.meeting.attendance.${c}`) })),
        values: { attendance: values.attendance ?? registered ?? (choices.length === 1 ? choices[0] : '') },
        canRegister: meeting.publishedAt && !meeting.cancelledAt && meeting.endsAt.getTime() >= Date.now(),
        manager,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/community-councils/:slug/meetings/:id', { schema: { params: MeetingParams } }, async (request, reply) =>
    renderMeeting(request, reply, request.params),
  )

  app.get(
    '/community-councils/:slug/meetings/:id/calendar.ics',
    { schema: { params: MeetingParams } },
    async (request, reply) => {
      const cc = await councils.get(request.params.slug)
      const text = await councils.meetingCalendar(request.ctx(), cc, request.params.id)
      reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="meeting-${request.params.id}.ics"`)
        .header('cache-control', 'no-store')
      return reply.send(text)
    },
  )

  app.post(
    '/community-councils/:slug/meetings/:id/register',
    { schema: { params: MeetingParams, body: anyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await councils.get(request.params.slug)
      const attendance = field(request.body, 'attendance', 20)
      try {
        await councils.register(request.ctx(), cc, request.params.id, attendance)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderMeeting(request, reply, request.params, fieldErrors, { attendance })
      }
      return reply.redirect(`/community-councils/${cc.slug}/meetings/${request.params.id}#registration`, 303)
    },
  )

  app.post(
    '/community-councils/:slug/meetings/:id/register/cancel',
    { schema: { params: MeetingParams, body: anyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await councils.get(request.params.slug)
      await councils.cancelRegistration(request.ctx(), cc, request.params.id)
      return reply.redirect(`/community-councils/${cc.slug}/meetings/${request.params.id}#registration`, 303)
    },
  )

  // --- staff: community councils ---

  app.get('/manage/community-councils', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const manageable = await councils.manageable(request.ctx())
    return reply.render(`${V}/manage-list.njk`, {
      section: 'manage',
      title: request.t('participation.cc.manage.title'),
      items: manageable.map((cc) => ({ slug: cc.slug, name: orgName(cc, request.locale) })),
      canCreate: (await councils.councilsFor(request.ctx())).length > 0,
    })
  })

  async function renderNewCc(
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    fieldErrors?: Record<string, string>,
  ) {
    const options = await councils.councilsFor(request.ctx())
    return reply.render(
      `${V}/manage-new.njk`,
      {
        section: 'manage',
        title: request.t('participation.cc.new.title'),
        councilOptions: [
          { value: '', text: request.t('participation.cc.new.chooseCouncil') },
          ...options.map((c) => ({ value: c.id, text: orgName(c, request.locale) })),
        ],
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/community-councils/new', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const options = await councils.councilsFor(request.ctx())
    if (options.length === 0) return reply.redirect('/manage/community-councils', 303)
    return renderNewCc(request, reply, {
      councilId: options.length === 1 ? options[0]!.id : '',
      nameEn: '',
      nameGd: '',
      website: '',
      adminEmail: '',
    })
  })

  app.post(
    '/manage/community-councils/new',
    { schema: { body: anyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        councilId: field(request.body, 'councilId', 100),
        nameEn: field(request.body, 'nameEn', 300),
        nameGd: field(request.body, 'nameGd', 300),
        website: field(request.body, 'website', 500),
        adminEmail: field(request.body, 'adminEmail', 300),
      }
      try {
        const cc = await councils.create(request.ctx(), values)
        return reply.redirect(`/manage/community-councils/${cc.slug}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderNewCc(request, reply, values, fieldErrors)
      }
    },
  )

  const managed = async (request: FastifyRequest, params: { slug: string }) => {
    const cc = await councils.get(params.slug)
    councils.requireManager(request.ctx(), cc)
    return cc
  }

  app.get('/manage/community-councils/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const cc = await managed(request, request.params)
    return reply.render(`${V}/manage-show.njk`, {
      ...page(request, cc),
      section: 'manage',
      title: orgName(cc, request.locale),
      meetings: (await councils.meetings(cc, { includeDrafts: true })).map((m) =>
        meetingView(m, request.t, request.locale),
      ),
      polls: await polls.forManager(request.ctx(), cc),
    })
  })

  async function renderMembers(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { slug: string },
    values: { email: string; roles: string[] },
    fieldErrors?: Record<string, string>,
  ) {
    const cc = await managed(request, params)
    const { members, invitations } = await councils.members(request.ctx(), cc)
    return reply.render(
      `${V}/manage-members.njk`,
      {
        ...page(request, cc),
        section: 'manage',
        title: request.t('participation.cc.members.title'),
        members: members.map((m) => ({ ...m, rolesText: m.roles.map((r) => request.t(`roles.${r}`)).join(', ') })),
        invitations: invitations.map((i) => ({
          ...i,
          rolesText: i.roles.map((r) => request.t(`roles.${r}`)).join(', '),
          expires: formatDateTime(i.expiresAt, request.locale),
        })),
        roleItems: STAFF_ROLES.map((r) => ({
          value: r,
          text: request.t(`roles.${r}`),
          checked: values.roles.includes(r),
        })),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/community-councils/:slug/members', { schema: { params: SlugParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderMembers(request, reply, request.params, { email: '', roles: [] })
  })

  app.post(
    '/manage/community-councils/:slug/members',
    { schema: { params: SlugParams, body: anyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await managed(request, request.params)
      const values = { email: field(request.body, 'email', 300), roles: fieldList(request.body, 'roles') }
      try {
        await councils.inviteMember(request.ctx(), cc, values)
        return reply.redirect(`/manage/community-councils/${cc.slug}/members`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderMembers(request, reply, request.params, values, fieldErrors)
      }
    },
  )

  // --- staff: meetings ---

  const meetingInput = (body: unknown): MeetingInput => ({
    title: field(body, 'title', 300),
    kind: field(body, 'kind', 20),
    date: field(body, 'date', 20),
    startTime: field(body, 'startTime', 10),
    endTime: field(body, 'endTime', 10),
    location: field(body, 'location', 600),
    joiningUrl: field(body, 'joiningUrl', 2100),
    joiningVisibility: field(body, 'joiningVisibility', 20),
    agenda: field(body, 'agenda', 20_000),
  })

  async function renderMeetingForm(
    request: FastifyRequest,
    reply: FastifyReply,
    cc: Organisation,
    values: MeetingInput,
    meeting: Meeting | null,
    fieldErrors?: Record<string, string>,
  ) {
    return reply.render(
      `${V}/manage-meeting-form.njk`,
      {
        ...page(request, cc),
        section: 'manage',
        title: request.t(meeting ? 'participation.meeting.form.editTitle' : 'participation.meeting.form.newTitle'),
        action: meeting
          ? `/manage/community-councils/${cc.slug}/meetings/${meeting.id}/edit`
          : `/manage/community-councils/${cc.slug}/meetings/new`,
        cancelHref: meeting
          ? `/manage/community-councils/${cc.slug}/meetings/${meeting.id}`
          : `/manage/community-councils/${cc.slug}`,
        kindItems: meetingKinds.map((k) => ({ value: k, text: request.t(`participation.meeting.kind.${k}`) })),
        visibilityItems: joiningVisibilities.map((v) => ({
          value: v,
          text: request.t(`participation.meeting.visibility.${v}`),
        })),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/community-councils/:slug/meetings/new',
    { schema: { params: SlugParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await managed(request, request.params)
      return renderMeetingForm(
        request,
        reply,
        cc,
        {
          title: '',
          kind: '',
          date: '',
          startTime: '19:00',
          endTime: '21:00',
          location: '',
          joiningUrl: '',
          joiningVisibility: 'registered',
          agenda: '',
        },
        null,
      )
    },
  )

  app.post(
    '/manage/community-councils/:slug/meetings/new',
    { schema: { params: SlugParams, body: meetingForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await managed(request, request.params)
      const values = meetingInput(request.body)
      try {
        const m = await councils.createMeeting(request.ctx(), cc, values)
        return reply.redirect(`/manage/community-councils/${cc.slug}/meetings/${m.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderMeetingForm(request, reply, cc, values, null, fieldErrors)
      }
    },
  )

  async function renderManageMeeting(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { slug: string; id: string },
    values: Record<string, string> = {},
    fieldErrors?: Record<string, string>,
  ) {
    const cc = await managed(request, params)
    const meeting = await councils.meetingForManager(request.ctx(), cc, params.id)
    return reply.render(
      `${V}/manage-meeting.njk`,
      {
        ...page(request, cc),
        section: 'manage',
        title: meeting.title,
        meeting: meetingView(meeting, request.t, request.locale, { manager: true }),
        papers: await councils.papers(meeting.id),
        registrations: (await councils.registrations(request.ctx(), cc, meeting.id)).map((r) => ({
          ...r,
          attendanceText: request.t(`participation.meeting.attendance.${r.attendance}`),
        })),
        minutesAllowed: meeting.publishedAt !== null && meeting.startsAt.getTime() <= Date.now(),
        values: { paperTitle: '', paperUrl: '', minutes: meeting.minutesMarkdown, ...values },
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/community-councils/:slug/meetings/:id',
    { schema: { params: MeetingParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      return renderManageMeeting(request, reply, request.params)
    },
  )

  app.get(
    '/manage/community-councils/:slug/meetings/:id/edit',
    { schema: { params: MeetingParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await managed(request, request.params)
      const m = await councils.meetingForManager(request.ctx(), cc, request.params.id)
      const start = londonFields(m.startsAt)
      return renderMeetingForm(
        request,
        reply,
        cc,
        {
          title: m.title,
          kind: m.kind,
          date: start.date,
          startTime: start.time,
          endTime: londonFields(m.endsAt).time,
          location: m.location,
          joiningUrl: m.joiningUrl,
          joiningVisibility: m.joiningVisibility,
          agenda: m.agendaMarkdown,
        },
        m,
      )
    },
  )

  app.post(
    '/manage/community-councils/:slug/meetings/:id/edit',
    { schema: { params: MeetingParams, body: meetingForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await managed(request, request.params)
      const m = await councils.meetingForManager(request.ctx(), cc, request.params.id)
      const values = meetingInput(request.body)
      try {
        await councils.updateMeeting(request.ctx(), cc, m.id, values)
        return reply.redirect(`/manage/community-councils/${cc.slug}/meetings/${m.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderMeetingForm(request, reply, cc, values, m, fieldErrors)
      }
    },
  )

  for (const action of ['publish', 'cancel'] as const) {
    app.post(
      `/manage/community-councils/:slug/meetings/:id/${action}`,
      { schema: { params: MeetingParams, body: anyForm }, attachValidation: true },
      async (request, reply) => {
        if (!signedIn(request, reply)) return reply
        const cc = await managed(request, request.params)
        if (action === 'publish') await councils.publishMeeting(request.ctx(), cc, request.params.id)
        else await councils.cancelMeeting(request.ctx(), cc, request.params.id)
        return reply.redirect(`/manage/community-councils/${cc.slug}/meetings/${request.params.id}`, 303)
      },
    )
  }

  app.post(
    '/manage/community-councils/:slug/meetings/:id/papers',
    { schema: { params: MeetingParams, body: anyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await managed(request, request.params)
      const values = {
        paperTitle: field(request.body, 'paperTitle', 300),
        paperUrl: field(request.body, 'paperUrl', 2100),
      }
      const upload = (request.body as Record<string, unknown> | undefined)?.paperFile
      const file = Value.Check(Upload, upload) ? upload : null
      try {
        await councils.addPaper(request.ctx(), cc, request.params.id, {
          title: values.paperTitle,
          url: values.paperUrl,
          file,
        })
        return reply.redirect(`/manage/community-councils/${cc.slug}/meetings/${request.params.id}#papers`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderManageMeeting(request, reply, request.params, values, fieldErrors)
      }
    },
  )

  app.get(
    '/community-councils/:slug/meetings/:id/papers/:paperId',
    { schema: { params: PaperParams } },
    async (request, reply) => {
      const cc = await councils.get(request.params.slug)
      const file = await councils.paperFile(request.ctx(), cc, request.params.id, request.params.paperId)
      return app.kernel.files.send(reply, file)
    },
  )

  app.post(
    '/manage/community-councils/:slug/meetings/:id/papers/:paperId/remove',
    { schema: { params: PaperParams, body: anyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await managed(request, request.params)
      await councils.removePaper(request.ctx(), cc, request.params.id, request.params.paperId)
      return reply.redirect(`/manage/community-councils/${cc.slug}/meetings/${request.params.id}#papers`, 303)
    },
  )

  app.post(
    '/manage/community-councils/:slug/meetings/:id/minutes',
    { schema: { params: MeetingParams, body: anyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await managed(request, request.params)
      const minutes = field(request.body, 'minutes', 50_000)
      try {
        await councils.publishMinutes(request.ctx(), cc, request.params.id, minutes)
        return reply.redirect(`/manage/community-councils/${cc.slug}/meetings/${request.params.id}#minutes`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderManageMeeting(request, reply, request.params, { minutes }, fieldErrors)
      }
    },
  )
}
