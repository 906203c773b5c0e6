import { test } from 'node:test'
import assert from 'node:assert/strict'
import { referenceOrganisations } from './reference-data.js'

const councils = referenceOrganisations.filter((o) => o.type === 'council')
const territorialBoards = referenceOrganisations.filter((o) => o.type === 'health-board')

test('there are exactly 32 councils', () => {
  assert.equal(councils.length, 32)
})

test('slugs are unique and kebab-case', () => {
  const slugs = referenceOrganisations.map((o) => o.slug)
  assert.equal(new Set(slugs).size, slugs.length)
  for (const slug of slugs) assert.match(slug, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, slug)
})

test('GSS codes are unique', () => {
  const codes = referenceOrganisations.map((o) => o.gssCode).filter((c): c is string => c !== null)
  assert.equal(new Set(codes).size, codes.length)
})

test('every council has an S12000xxx council-area code', () => {
  for (const c of councils) assert.match(c.gssCode ?? '', /^S12000\d{3}$/, c.slug)
})

test('there are 14 territorial health boards with S08000xxx codes', () => {
  assert.equal(territorialBoards.length, 14)
  for (const b of territorialBoards) assert.match(b.gssCode ?? '', /^S08000\d{3}$/, b.slug)
})

test('only councils and territorial health boards carry GSS codes', () => {
  for (const o of referenceOrganisations) {
    if (o.type !== 'council' && o.type !== 'health-board') assert.equal(o.gssCode, null, o.slug)
  }
})

test('codes that changed in 2018/2019 are the current ones', () => {
  const code = (slug: string) => referenceOrganisations.find((o) => o.slug === slug)?.gssCode
  assert.equal(code('fife-council'), 'S12000047')
  assert.equal(code('perth-and-kinross-council'), 'S12000048')
  assert.equal(code('glasgow-city-council'), 'S12000049')
  assert.equal(code('north-lanarkshire-council'), 'S12000050')
  assert.equal(code('nhs-fife'), 'S08000029')
  assert.equal(code('nhs-tayside'), 'S08000030')
  assert.equal(code('nhs-greater-glasgow-and-clyde'), 'S08000031')
  assert.equal(code('nhs-lanarkshire'), 'S08000032')
})

test('every website is an https URL', () => {
  for (const o of referenceOrganisations) {
    const url = new URL(o.website)
    assert.equal(url.protocol, 'https:', o.slug)
  }
})

test('every body has an English name, and a missing Gaelic name is never marked reviewed', () => {
  for (const o of referenceOrganisations) {
    assert.ok(o.nameEn.trim().length > 0, o.slug)
    if (o.nameGd === null) assert.equal(o.gaelicReviewed, false, o.slug)
  }
})

test('the four named national bodies are present', () => {
  const bySlug = new Map(referenceOrganisations.map((o) => [o.slug, o]))
  const police = bySlug.get('police-scotland')
  assert.equal(police?.type, 'police')
  assert.equal(police?.nameGd, 'Poileas Alba')
  const fire = bySlug.get('scottish-fire-and-rescue-service')
  assert.equal(fire?.type, 'fire-and-rescue')
  assert.equal(fire?.nameGd, 'Seirbheis Smàlaidh agus Teasairginn na h-Alba')
  const gov = bySlug.get('scottish-government')
  assert.equal(gov?.type, 'government')
  assert.equal(gov?.nameGd, 'Riaghaltas na h-Alba')
  const digital = bySlug.get('digital-office-for-scottish-local-government')
  assert.equal(digital?.type, 'digital-office')
})

test('the eight special health boards are present', () => {
  const special = referenceOrganisations.filter((o) => o.type === 'special-health-board')
  assert.equal(special.length, 8)
})
