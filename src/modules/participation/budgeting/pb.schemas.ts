// TypeBox schemas: API bodies and queries, and the fields of the forms.
import { Type } from '@sinclair/typebox'
import { formSchema } from '../../../platform/http/forms.js'
import { phases, projectStatuses, votingRules, eligibilities } from './pb.types.js'

const Id = Type.String({ maxLength: 100 })
export const IdParams = Type.Object({ id: Id })
export const ProjectParams = Type.Object({ id: Id, projectId: Id })
export const AreaParams = Type.Object({ id: Id, areaId: Id })
export const BatchParams = Type.Object({ id: Id, batchId: Id })

export const PageQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 10 })) })
export const ProjectPageQuery = Type.Object({
  area: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
})

export const ListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
})
export const ProjectListQuery = Type.Object({
  area: Type.Optional(Type.String({ format: 'uuid' })),
  status: Type.Optional(Type.Union(projectStatuses.map((s) => Type.Literal(s)))),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
})

const Organisation = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  nameEn: Type.String(),
  nameGd: Type.Union([Type.String(), Type.Null()]),
})

export const ProcessSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    title: Type.String(),
    summary: Type.String(),
    phase: Type.String({ enum: [...phases] }),
    votingRule: Type.String({ enum: [...votingRules] }),
    maxChoices: Type.Union([Type.Integer(), Type.Null()]),
    pointsTotal: Type.Union([Type.Integer(), Type.Null()]),
    minSpendPercent: Type.Integer(),
    allowChanges: Type.Boolean(),
    eligibility: Type.String({ enum: [...eligibilities] }),
    minAge: Type.Union([Type.Integer(), Type.Null()]),
    equalShares: Type.Boolean(),
    organisation: Organisation,
    ideasOpenAt: Type.String({ format: 'date-time' }),
    reviewOpensAt: Type.String({ format: 'date-time' }),
    voteOpensAt: Type.String({ format: 'date-time' }),
    voteClosesAt: Type.String({ format: 'date-time' }),
    resultsPublishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    url: Type.String(),
  },
  { $id: 'PbProcess' },
)

export const AreaSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  budget: Type.Integer({ description: 'in pounds' }),
  areaWide: Type.Boolean(),
})

export const ProcessDetailSchema = Type.Intersect([ProcessSchema, Type.Object({ areas: Type.Array(AreaSchema) })])

export const ProjectSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    processId: Type.String({ format: 'uuid' }),
    areaId: Type.String({ format: 'uuid' }),
    areaName: Type.String(),
    title: Type.String(),
    description: Type.String(),
    cost: Type.Integer({ description: 'estimated cost in pounds' }),
    status: Type.String({ enum: [...projectStatuses] }),
    publicReason: Type.String(),
    mergedInto: Type.Union([Type.String(), Type.Null()]),
    commentCount: Type.Integer(),
    imageUrl: Type.Union([Type.String(), Type.Null()]),
    imageAlt: Type.String(),
    proposedAt: Type.String({ format: 'date-time' }),
    url: Type.String(),
  },
  { $id: 'PbProject' },
)

export const ResultsSchema = Type.Object({
  processId: Type.String({ format: 'uuid' }),
  votingRule: Type.String({ enum: [...votingRules] }),
  equalShares: Type.Boolean(),
  areas: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      name: Type.String(),
      budget: Type.Integer(),
      areaWide: Type.Boolean(),
      ballots: Type.Integer(),
      spentByVotes: Type.Integer(),
      spentByEqualShares: Type.Union([Type.Integer(), Type.Null()]),
      projects: Type.Array(
        Type.Object({
          rank: Type.Integer(),
          projectId: Type.String({ format: 'uuid' }),
          title: Type.String(),
          cost: Type.Integer(),
          votes: Type.Integer(),
          points: Type.Integer(),
          selectedByVotes: Type.Boolean(),
          selectedByEqualShares: Type.Union([Type.Boolean(), Type.Null()]),
        }),
      ),
    }),
  ),
})

export const processForm = formSchema(
  [
    'organisationId',
    'title',
    'summary',
    'description',
    'votingRule',
    'maxChoices',
    'pointsTotal',
    'minSpendPercent',
    'allowChanges',
    'eligibility',
    'minAge',
    'equalShares',
    'ideasDate',
    'reviewDate',
    'voteDate',
    'closeDate',
    'closeTime',
  ],
  20_000,
)
export const areaForm = formSchema(['name', 'budget', 'areaWide'], 200)
export const postcodeForm = formSchema(['csv'], 2_000_000)
export const projectForm = formSchema(['title', 'description', 'areaId', 'cost', 'imageAlt'], 6000)
export const reviewForm = formSchema(
  ['title', 'description', 'areaId', 'cost', 'status', 'publicReason', 'mergedInto'],
  6000,
)
export const commentForm = formSchema(['comment'], 3000)
export const codesForm = formSchema(['areaId', 'count', 'label'], 200)
export const codeForm = formSchema(['code'], 100)
export const residentForm = formSchema(['postcode', 'birthDay', 'birthMonth', 'birthYear'], 100)
export const emptyForm = formSchema([], 100)
/** A ballot: checkboxes named "project", or "points-<id>" inputs, and the button pressed. */
export const ballotForm = formSchema(['project', 'action', 'code'], 100)
