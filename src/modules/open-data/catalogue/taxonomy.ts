// The fixed vocabularies of the national catalogue, as data in both languages: themes (each mapped
// to the EU data-theme authority table that DCAT-AP uses), licences (CKAN's identifiers, so CKAN
// clients recognise them) and update frequencies (the EU frequency authority table).
// The Gaelic names have not yet been checked by a fluent speaker (gaelicAwaitingReview).

export type Named = { en: string; gd: string }

export type Theme = { id: string; name: Named; euTheme: string }

const EU_THEME = 'http://publications.europa.eu/resource/authority/data-theme/'
const EU_FREQUENCY = 'http://publications.europa.eu/resource/authority/frequency/'

export const gaelicAwaitingReview = true

export const themes: readonly Theme[] = [
  {
    id: 'agriculture',
    name: { en: 'Agriculture, fisheries, forestry and food', gd: 'Àiteachas, iasgach, coilltearachd agus biadh' },
    euTheme: 'AGRI',
  },
  { id: 'economy', name: { en: 'Economy and finance', gd: 'Eaconamaidh agus ionmhas' }, euTheme: 'ECON' },
  {
    id: 'education',
    name: { en: 'Education, culture and sport', gd: 'Foghlam, cultar agus spòrs' },
    euTheme: 'EDUC',
  },
  { id: 'energy', name: { en: 'Energy', gd: 'Lùth' }, euTheme: 'ENER' },
  { id: 'environment', name: { en: 'Environment', gd: 'Àrainneachd' }, euTheme: 'ENVI' },
  {
    id: 'government',
    name: { en: 'Government and public sector', gd: 'Riaghaltas agus an roinn phoblach' },
    euTheme: 'GOVE',
  },
  { id: 'health', name: { en: 'Health and social care', gd: 'Slàinte agus cùram sòisealta' }, euTheme: 'HEAL' },
  { id: 'housing', name: { en: 'Housing and planning', gd: 'Taigheadas agus dealbhadh' }, euTheme: 'REGI' },
  { id: 'international', name: { en: 'International issues', gd: 'Cùisean eadar-nàiseanta' }, euTheme: 'INTR' },
  {
    id: 'justice',
    name: {
      en: 'Justice, legal system and public safety',
      gd: 'Ceartas, an siostam laghail agus sàbhailteachd phoblach',
    },
    euTheme: 'JUST',
  },
  { id: 'population', name: { en: 'Population and society', gd: 'Sluagh agus comann-sòisealta' }, euTheme: 'SOCI' },
  { id: 'regions', name: { en: 'Regions and cities', gd: 'Roinnean agus bailtean-mòra' }, euTheme: 'REGI' },
  { id: 'science', name: { en: 'Science and technology', gd: 'Saidheans agus teicneòlas' }, euTheme: 'TECH' },
  { id: 'transport', name: { en: 'Transport', gd: 'Còmhdhail' }, euTheme: 'TRAN' },
]

export const themeUri = (t: Theme) => `${EU_THEME}${t.euTheme}`

export type Licence = { id: string; name: Named; url: string; spdx: string }

export const DEFAULT_LICENCE = 'OGL-UK-3.0'

export const licences: readonly Licence[] = [
  {
    id: 'OGL-UK-3.0',
    name: { en: 'Open Government Licence v3.0', gd: 'Ceadachas Riaghaltais Fhosgailte v3.0' },
    url: 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/',
    spdx: 'OGL-UK-3.0',
  },
  {
    id: 'cc-by',
    name: { en: 'Creative Commons Attribution 4.0', gd: 'Creative Commons Aithneachadh 4.0' },
    url: 'https://creativecommons.org/licenses/by/4.0/',
    spdx: 'CC-BY-4.0',
  },
  {
    id: 'cc-by-sa',
    name: {
      en: 'Creative Commons Attribution Share-Alike 4.0',
      gd: 'Creative Commons Aithneachadh Co-roinneadh San Aon Dòigh 4.0',
    },
    url: 'https://creativecommons.org/licenses/by-sa/4.0/',
    spdx: 'CC-BY-SA-4.0',
  },
  {
    id: 'cc-zero',
    name: { en: 'Creative Commons Zero (public domain)', gd: 'Creative Commons Neoni (raon poblach)' },
    url: 'https://creativecommons.org/publicdomain/zero/1.0/',
    spdx: 'CC0-1.0',
  },
  {
    id: 'odc-by',
    name: { en: 'Open Data Commons Attribution Licence', gd: 'Ceadachas Aithneachaidh Open Data Commons' },
    url: 'https://opendatacommons.org/licenses/by/1-0/',
    spdx: 'ODC-By-1.0',
  },
  {
    id: 'odc-odbl',
    name: { en: 'Open Data Commons Open Database Licence', gd: 'Ceadachas Stòr-dàta Fosgailte Open Data Commons' },
    url: 'https://opendatacommons.org/licenses/odbl/1-0/',
    spdx: 'ODbL-1.0',
  },
]

export type Frequency = { id: string; eu: string }

/** Update frequencies; their names are in the module's message catalogue (open-data.frequency.<id>). */
export const frequencies: readonly Frequency[] = [
  { id: 'continuous', eu: 'UPDATE_CONT' },
  { id: 'daily', eu: 'DAILY' },
  { id: 'weekly', eu: 'WEEKLY' },
  { id: 'monthly', eu: 'MONTHLY' },
  { id: 'quarterly', eu: 'QUARTERLY' },
  { id: 'annual', eu: 'ANNUAL' },
  { id: 'irregular', eu: 'IRREG' },
  { id: 'never', eu: 'NEVER' },
]

export const frequencyUri = (f: Frequency) => `${EU_FREQUENCY}${f.eu}`

/** All of Scotland, as a spatial coverage alongside the council areas. */
export const SCOTLAND_GSS = 'S92000003'

export const themeById = (id: string) => themes.find((t) => t.id === id)
export const licenceById = (id: string) => licences.find((l) => l.id === id)
export const frequencyById = (id: string) => frequencies.find((f) => f.id === id)

/** A licence from a harvested record's identifier, title or address, when it is one of ours. */
export function matchLicence(value: string | null | undefined): Licence | undefined {
  if (!value) return undefined
  const v = value.trim().toLowerCase()
  return licences.find(
    (l) =>
      l.id.toLowerCase() === v ||
      l.spdx.toLowerCase() === v ||
      l.name.en.toLowerCase() === v ||
      l.url.replace(/^https?:\/\/(www\.)?/, '').replace(/\/$/, '') ===
        v.replace(/^https?:\/\/(www\.)?/, '').replace(/\/$/, ''),
  )
}

export const localName = (n: Named, locale: 'en' | 'gd') => (locale === 'gd' ? n.gd : n.en)
