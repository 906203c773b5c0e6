// TypeBox schemas of consultation analysis: page queries and forms, and the API's bodies.
import { Type } from '@sinclair/typebox'
import { formSchema } from '../../../platform/http/forms.js'

const Id = Type.String({ maxLength: 100 })

export const AnalysisParams = Type.Object({ id: Id })
export const AnalysisQuestionParams = Type.Object({ id: Id, questionId: Id })
export const AnalysisAnswerParams = Type.Object({ id: Id, answerId: Id })
export const AnalysisGroupParams = Type.Object({ id: Id, groupId: Id })
export const AnalysisExportParams = Type.Object({ id: Id, exportId: Id })

/** Filters as pages receive them: a bad value is ignored rather than refused. */
export const FilterQuery = Type.Object({
  respondentType: Type.Optional(Type.String({ maxLength: 20 })),
  channel: Type.Optional(Type.String({ maxLength: 20 })),
  theme: Type.Optional(Type.String({ maxLength: 100 })),
  flag: Type.Optional(Type.String({ maxLength: 30 })),
})

export const AnswersQuery = Type.Composite([
  FilterQuery,
  Type.Object({
    q: Type.Optional(Type.String({ maxLength: 200 })),
    after: Type.Optional(Type.String({ maxLength: 20 })),
    tagged: Type.Optional(Type.String({ maxLength: 10 })),
  }),
])

export const CrosstabQuery = Type.Composite([
  FilterQuery,
  Type.Object({ by: Type.Optional(Type.String({ maxLength: 100 })) }),
])

export const themeForm = formSchema(['name', 'description'], 2000)
export const codeForm = formSchema(['themes'], 200)
export const noteForm = formSchema(['note'], 6000)
export const bulkTagForm = formSchema(['themeId', 'q', 'respondentType', 'channel', 'theme', 'flag'], 300)
export const decideForm = formSchema(['outcome', 'reason'], 2000)
export const exportForm = formSchema(['format'], 20)
export const emptyForm = formSchema([], 10)

// --- the API ---

const Count = Type.Object({ value: Type.String(), count: Type.Integer(), percent: Type.Number() })

export const ApiFilterQuery = Type.Object({
  respondentType: Type.Optional(Type.Union([Type.Literal('individual'), Type.Literal('organisation')])),
  channel: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('post'), Type.Literal('email')])),
  theme: Type.Optional(Type.String({ maxLength: 100, description: "a theme's id, or none for answers not coded" })),
  flag: Type.Optional(
    Type.Union(
      ['duplicate-identity', 'duplicate-answers', 'campaign', 'blank', 'excluded'].map((v) => Type.Literal(v)),
    ),
  ),
})

export const AnalysisSchema = Type.Object(
  {
    consultationId: Type.String(),
    responses: Type.Integer({ description: 'responses counted: those excluded or merged by an analyst are left out' }),
    questions: Type.Array(
      Type.Object({
        id: Type.String(),
        position: Type.Integer(),
        type: Type.String(),
        title: Type.String(),
        answered: Type.Integer(),
        coded: Type.Integer(),
        options: Type.Array(Count),
        themes: Type.Array(Count),
      }),
    ),
  },
  { $id: 'ConsultationAnalysis' },
)

export const CrosstabSchema = Type.Object({
  questionId: Type.String(),
  by: Type.String(),
  rows: Type.Array(Type.String()),
  columns: Type.Array(Type.String()),
  counts: Type.Array(Type.Array(Type.Integer())),
  columnTotals: Type.Array(Type.Integer()),
})

export const ApiAnswersQuery = Type.Composite([
  ApiFilterQuery,
  Type.Object({
    q: Type.Optional(Type.String({ maxLength: 200, description: 'full-text search (web search syntax)' })),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'the cursor of the page: the last id seen' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  }),
])

export const AnswerSchema = Type.Object({
  id: Type.Integer(),
  reference: Type.String(),
  respondentType: Type.String(),
  channel: Type.String(),
  text: Type.String(),
  themes: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  notes: Type.Integer(),
})

export const AnswersPageSchema = Type.Object({
  items: Type.Array(AnswerSchema),
  total: Type.Integer(),
  next: Type.Union([Type.Integer(), Type.Null()]),
})

export const QualitySchema = Type.Object({
  run: Type.Union([
    Type.Object({
      id: Type.String(),
      status: Type.String(),
      summary: Type.Record(Type.String(), Type.Number()),
      createdAt: Type.String({ format: 'date-time' }),
      finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
    Type.Null(),
  ]),
  groups: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      label: Type.String(),
      size: Type.Integer(),
      decided: Type.Integer(),
    }),
  ),
})
