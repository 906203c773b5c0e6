// TypeBox schemas: API bodies and queries, and the fields of the module's forms.
import { Type } from '@sinclair/typebox'
import { formSchema } from '../../platform/http/forms.js'
import { Upload } from '../../platform/files/uploads.plugin.js'
import { publicationChoices, questionTypes, respondentTypes } from './consultation.types.js'

export const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) })
export const QuestionParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  questionId: Type.String({ maxLength: 100 }),
})

export const PublicListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  organisation: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(
    Type.Union([Type.Literal('open'), Type.Literal('forthcoming'), Type.Literal('closed'), Type.Literal('')]),
  ),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
})

/** The same filters for pages, where a bad value is ignored rather than refused. */
export const PageListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  organisation: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
})

export const ResponsesQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
})

export const PageQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 10 })) })

export const QuestionSchema = Type.Object({
  id: Type.String(),
  position: Type.Integer(),
  type: Type.String({ enum: [...questionTypes] }),
  title: Type.String(),
  hint: Type.String(),
  required: Type.Boolean(),
  maxLength: Type.Union([Type.Integer(), Type.Null()]),
  options: Type.Array(Type.String(), { description: 'the answers to choose from; for a choice grid, its columns' }),
  sectionId: Type.Union([Type.String(), Type.Null()]),
  rows: Type.Array(Type.String(), { description: 'a choice grid: its rows' }),
  allowOther: Type.Boolean({ description: 'multiple choice: offers "Other, please specify"' }),
  minValue: Type.Union([Type.Number(), Type.Null()]),
  maxValue: Type.Union([Type.Number(), Type.Null()]),
  condition: Type.Union([
    Type.Object(
      { questionId: Type.String(), value: Type.String() },
      { description: 'shown only when that earlier choice question was answered with this value' },
    ),
    Type.Null(),
  ]),
})

export const ConsultationSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    title: Type.String(),
    summary: Type.String(),
    status: Type.String({ enum: ['forthcoming', 'open', 'closed'] }),
    organisation: Type.Object({
      id: Type.String(),
      slug: Type.String(),
      nameEn: Type.String(),
      nameGd: Type.Union([Type.String(), Type.Null()]),
    }),
    opensAt: Type.String({ format: 'date-time' }),
    closesAt: Type.String({ format: 'date-time' }),
    url: Type.String(),
  },
  { $id: 'Consultation' },
)

export const ConsultationDetailSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  summary: Type.String(),
  bodyMarkdown: Type.String(),
  bodyHtml: Type.String(),
  status: Type.String({ enum: ['forthcoming', 'open', 'closed'] }),
  organisation: Type.Object({
    id: Type.String(),
    slug: Type.String(),
    nameEn: Type.String(),
    nameGd: Type.Union([Type.String(), Type.Null()]),
  }),
  opensAt: Type.String({ format: 'date-time' }),
  closesAt: Type.String({ format: 'date-time' }),
  url: Type.String(),
  paging: Type.String({ enum: ['all', 'section', 'question'] }),
  sections: Type.Array(
    Type.Object({ id: Type.String(), position: Type.Integer(), title: Type.String(), intro: Type.String() }),
  ),
  questions: Type.Array(QuestionSchema),
  documents: Type.Array(
    Type.Object({
      id: Type.String(),
      filename: Type.String(),
      contentType: Type.String(),
      size: Type.Integer({ description: 'bytes' }),
      url: Type.String(),
    }),
  ),
})

export const ResponseSchema = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  channel: Type.String({ enum: ['online', 'post', 'email'] }),
  submittedAt: Type.String({ format: 'date-time' }),
  respondent: Type.Object({
    type: Type.String({ enum: [...respondentTypes] }),
    name: Type.String(),
    organisationName: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    publication: Type.String({ enum: [...publicationChoices] }),
    mayContact: Type.Boolean(),
  }),
  answers: Type.Array(
    Type.Object({
      questionId: Type.String(),
      value: Type.Union([Type.String(), Type.Array(Type.String())], {
        description:
          'text; the options chosen (multiple choice); the column chosen in each row (choice grid); YYYY-MM-DD (date); a file id (file upload)',
      }),
      other: Type.Optional(Type.String({ description: 'the text of "Other, please specify"' })),
    }),
  ),
})

export const consultationForm = formSchema(
  ['organisationId', 'title', 'summary', 'body', 'opensDate', 'opensTime', 'closesDate', 'closesTime'],
  60_000,
)
export const questionForm = formSchema(
  [
    'type',
    'title',
    'hint',
    'required',
    'maxLength',
    'options',
    'section',
    'rows',
    'allowOther',
    'minValue',
    'maxValue',
    'condition',
  ],
  20_000,
)
/** A multipart form with one file, `document` (an Upload once received). */
export const documentForm = Type.Object(
  {
    _csrf: Type.Optional(Type.String({ maxLength: 200 })),
    document: Type.Optional(Type.Union([Upload, Type.String({ maxLength: 0 })])),
  },
  { additionalProperties: true },
)
export const FileParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  fileId: Type.String({ maxLength: 100 }),
})
export const sectionForm = formSchema(['title', 'intro'], 5000)
export const pagingForm = formSchema(['paging'], 20)
export const saveForLaterForm = formSchema(['email'], 1000)
export const SectionParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  sectionId: Type.String({ maxLength: 100 }),
})
export const ResumeParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  token: Type.String({ maxLength: 200 }),
})
export const NewQuestionQuery = Type.Object({ section: Type.Optional(Type.String({ maxLength: 100 })) })
export const RespondQuery = Type.Object({
  page: Type.Optional(Type.String({ maxLength: 100 })),
  change: Type.Optional(Type.String({ maxLength: 10 })),
})
export const moveForm = formSchema(['direction'], 10)
export const respondentForm = formSchema(
  ['respondentType', 'name', 'organisationName', 'email', 'publication', 'mayContact'],
  1000,
)
