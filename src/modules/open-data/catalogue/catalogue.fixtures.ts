// Test data shared by the catalogue's integration tests.
export const FIFE_GSS = 'S12000047'
export const DUNDEE_GSS = 'S12000042'

/** The fields of the dataset form, filled in as a publisher would. */
export function datasetForm(organisationId: string, title: string, extra: Record<string, string | string[]> = {}) {
  return {
    organisationId,
    title,
    description: `## About\n\n${title} for **everyone**.\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1)) [good](https://www.gov.scot/)`,
    keywords: 'waste, Recycling, bins',
    theme: 'environment',
    licence: 'OGL-UK-3.0',
    frequency: 'monthly',
    temporalStart: '2025-04-01',
    temporalEnd: '2026-03-31',
    spatial: [FIFE_GSS],
    contactName: 'Open data team',
    contactEmail: 'opendata@fife.example.gov.scot',
    ...extra,
  }
}
