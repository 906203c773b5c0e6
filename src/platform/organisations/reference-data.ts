/**
 * Reference directory of Scotland's public bodies.
 *
 * Sources of fact (checked 2024):
 * - Council-area GSS codes (S12000xxx) and NHS health-board codes (S08000xxx)
 *   are the current ONS/NRS codes, including the 2018 and 2019 recodings that
 *   followed boundary changes:
 *     Fife S12000015 -> S12000047, Perth and Kinross S12000024 -> S12000048,
 *     Glasgow City S12000046 -> S12000049, North Lanarkshire S12000044 -> S12000050;
 *     NHS Fife S08000018 -> S08000029, NHS Tayside S08000027 -> S08000030,
 *     NHS Greater Glasgow and Clyde S08000021 -> S08000031,
 *     NHS Lanarkshire S08000023 -> S08000032.
 * - English names are the bodies' own names (e.g. 'The City of Edinburgh Council',
 *   'The Highland Council', 'The Moray Council'). The Western Isles council's
 *   statutory name is Gaelic ('Comhairle nan Eilean Siar') under the
 *   Local Government (Gaelic Names) (Scotland) Act 1997.
 *
 * Gaelic names: `gaelicReviewed: true` only where the Gaelic name is the body's
 * own, attested usage (logo, website, Gaelic language plan, or consistent use
 * in Gaelic-language media). Every `false` entry is a careful composition from
 * established Gaelic place-name forms and should be checked with the body (or
 * its Gaelic language plan / Ainmean-Àite na h-Alba) before being shown as
 * the body's official name. `null` means no Gaelic name is known.
 */

export type OrganisationType =
  | 'council'
  | 'health-board'
  | 'special-health-board'
  | 'police'
  | 'fire-and-rescue'
  | 'government'
  | 'digital-office'
  | 'community-council'
  | 'college'
  | 'university'
  | 'third-sector'
  | 'other'

export type ReferenceOrganisation = {
  /** kebab-case, stable, unique, e.g. 'city-of-edinburgh-council' */
  slug: string
  /** official English name, e.g. 'The City of Edinburgh Council' */
  nameEn: string
  /** Scottish Gaelic name as the body itself uses it, or null if none known */
  nameGd: string | null
  /** true only where the Gaelic name is the body's own official/well-attested name */
  gaelicReviewed: boolean
  type: OrganisationType
  /** councils: GSS council-area code (S12000xxx); territorial health boards: S08000xxx; otherwise null */
  gssCode: string | null
  /** https URL of the body's main website */
  website: string
}

const councils: ReferenceOrganisation[] = [
  {
    slug: 'aberdeen-city-council',
    nameEn: 'Aberdeen City Council',
    nameGd: 'Comhairle Baile Obar Dheathain',
    gaelicReviewed: true,
    type: 'council',
    gssCode: 'S12000033',
    website: 'https://www.aberdeencity.gov.uk',
  },
  {
    slug: 'aberdeenshire-council',
    nameEn: 'Aberdeenshire Council',
    nameGd: 'Comhairle Siorrachd Obar Dheathain',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000034',
    website: 'https://www.aberdeenshire.gov.uk',
  },
  {
    slug: 'angus-council',
    nameEn: 'Angus Council',
    nameGd: 'Comhairle Aonghais',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000041',
    website: 'https://www.angus.gov.uk',
  },
  {
    slug: 'argyll-and-bute-council',
    nameEn: 'Argyll and Bute Council',
    nameGd: 'Comhairle Earra-Ghàidheal is Bhòid',
    gaelicReviewed: true,
    type: 'council',
    gssCode: 'S12000035',
    website: 'https://www.argyll-bute.gov.uk',
  },
  {
    slug: 'clackmannanshire-council',
    nameEn: 'Clackmannanshire Council',
    nameGd: 'Comhairle Siorrachd Chlach Mhanann',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000005',
    website: 'https://www.clacks.gov.uk',
  },
  {
    slug: 'dumfries-and-galloway-council',
    nameEn: 'Dumfries and Galloway Council',
    nameGd: 'Comhairle Dhùn Phris is Ghall-Ghàidhealaibh',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000006',
    website: 'https://www.dumgal.gov.uk',
  },
  {
    slug: 'dundee-city-council',
    nameEn: 'Dundee City Council',
    nameGd: 'Comhairle Baile Dhùn Dè',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000042',
    website: 'https://www.dundeecity.gov.uk',
  },
  {
    slug: 'east-ayrshire-council',
    nameEn: 'East Ayrshire Council',
    nameGd: 'Comhairle Siorrachd Àir an Ear',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000008',
    website: 'https://www.east-ayrshire.gov.uk',
  },
  {
    slug: 'east-dunbartonshire-council',
    nameEn: 'East Dunbartonshire Council',
    nameGd: 'Comhairle Siorrachd Dhùn Bhreatainn an Ear',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000045',
    website: 'https://www.eastdunbarton.gov.uk',
  },
  {
    slug: 'east-lothian-council',
    nameEn: 'East Lothian Council',
    nameGd: 'Comhairle Lodainn an Ear',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000010',
    website: 'https://www.eastlothian.gov.uk',
  },
  {
    slug: 'east-renfrewshire-council',
    nameEn: 'East Renfrewshire Council',
    nameGd: 'Comhairle Siorrachd Rinn Friù an Ear',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000011',
    website: 'https://www.eastrenfrewshire.gov.uk',
  },
  {
    slug: 'city-of-edinburgh-council',
    nameEn: 'The City of Edinburgh Council',
    nameGd: 'Comhairle Baile Dhùn Èideann',
    gaelicReviewed: true,
    type: 'council',
    gssCode: 'S12000036',
    website: 'https://www.edinburgh.gov.uk',
  },
  {
    slug: 'comhairle-nan-eilean-siar',
    // Statutory name is Gaelic (Local Government (Gaelic Names) (Scotland) Act 1997);
    // the council uses it in English contexts too. Area: Na h-Eileanan Siar.
    nameEn: 'Comhairle nan Eilean Siar',
    nameGd: 'Comhairle nan Eilean Siar',
    gaelicReviewed: true,
    type: 'council',
    gssCode: 'S12000013',
    website: 'https://www.cne-siar.gov.uk',
  },
  {
    slug: 'falkirk-council',
    nameEn: 'Falkirk Council',
    nameGd: 'Comhairle na h-Eaglaise Brice',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000014',
    website: 'https://www.falkirk.gov.uk',
  },
  {
    slug: 'fife-council',
    nameEn: 'Fife Council',
    // Both 'Comhairle Fìobha' and the lenited 'Comhairle Fhìobha' are seen in use.
    nameGd: 'Comhairle Fìobha',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000047',
    website: 'https://www.fife.gov.uk',
  },
  {
    slug: 'glasgow-city-council',
    nameEn: 'Glasgow City Council',
    nameGd: 'Comhairle Baile Ghlaschu',
    gaelicReviewed: true,
    type: 'council',
    gssCode: 'S12000049',
    website: 'https://www.glasgow.gov.uk',
  },
  {
    slug: 'highland-council',
    nameEn: 'The Highland Council',
    nameGd: 'Comhairle na Gàidhealtachd',
    gaelicReviewed: true,
    type: 'council',
    gssCode: 'S12000017',
    website: 'https://www.highland.gov.uk',
  },
  {
    slug: 'inverclyde-council',
    nameEn: 'Inverclyde Council',
    nameGd: 'Comhairle Inbhir Chluaidh',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000018',
    website: 'https://www.inverclyde.gov.uk',
  },
  {
    slug: 'midlothian-council',
    nameEn: 'Midlothian Council',
    nameGd: 'Comhairle Meadhan Lodainn',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000019',
    website: 'https://www.midlothian.gov.uk',
  },
  {
    slug: 'moray-council',
    nameEn: 'The Moray Council',
    nameGd: 'Comhairle Mhoireibh',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000020',
    website: 'https://www.moray.gov.uk',
  },
  {
    slug: 'north-ayrshire-council',
    nameEn: 'North Ayrshire Council',
    nameGd: 'Comhairle Siorrachd Àir a Tuath',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000021',
    website: 'https://www.north-ayrshire.gov.uk',
  },
  {
    slug: 'north-lanarkshire-council',
    nameEn: 'North Lanarkshire Council',
    nameGd: 'Comhairle Siorrachd Lannraig a Tuath',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000050',
    website: 'https://www.northlanarkshire.gov.uk',
  },
  {
    slug: 'orkney-islands-council',
    nameEn: 'Orkney Islands Council',
    nameGd: 'Comhairle Eileanan Arcaibh',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000023',
    website: 'https://www.orkney.gov.uk',
  },
  {
    slug: 'perth-and-kinross-council',
    nameEn: 'Perth and Kinross Council',
    nameGd: 'Comhairle Pheairt is Cheann Rois',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000048',
    website: 'https://www.pkc.gov.uk',
  },
  {
    slug: 'renfrewshire-council',
    nameEn: 'Renfrewshire Council',
    nameGd: 'Comhairle Siorrachd Rinn Friù',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000038',
    website: 'https://www.renfrewshire.gov.uk',
  },
  {
    slug: 'scottish-borders-council',
    nameEn: 'Scottish Borders Council',
    nameGd: 'Comhairle nan Crìochan',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000026',
    website: 'https://www.scotborders.gov.uk',
  },
  {
    slug: 'shetland-islands-council',
    nameEn: 'Shetland Islands Council',
    nameGd: 'Comhairle Eileanan Shealtainn',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000027',
    website: 'https://www.shetland.gov.uk',
  },
  {
    slug: 'south-ayrshire-council',
    nameEn: 'South Ayrshire Council',
    nameGd: 'Comhairle Siorrachd Àir a Deas',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000028',
    website: 'https://www.south-ayrshire.gov.uk',
  },
  {
    slug: 'south-lanarkshire-council',
    nameEn: 'South Lanarkshire Council',
    nameGd: 'Comhairle Siorrachd Lannraig a Deas',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000029',
    website: 'https://www.southlanarkshire.gov.uk',
  },
  {
    slug: 'stirling-council',
    nameEn: 'Stirling Council',
    nameGd: 'Comhairle Shruighlea',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000030',
    website: 'https://www.stirling.gov.uk',
  },
  {
    slug: 'west-dunbartonshire-council',
    nameEn: 'West Dunbartonshire Council',
    nameGd: 'Comhairle Siorrachd Dhùn Bhreatainn an Iar',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000039',
    website: 'https://www.west-dunbarton.gov.uk',
  },
  {
    slug: 'west-lothian-council',
    nameEn: 'West Lothian Council',
    nameGd: 'Comhairle Lodainn an Iar',
    gaelicReviewed: false,
    type: 'council',
    gssCode: 'S12000040',
    website: 'https://www.westlothian.gov.uk',
  },
]

const territorialHealthBoards: ReferenceOrganisation[] = [
  {
    slug: 'nhs-ayrshire-and-arran',
    nameEn: 'NHS Ayrshire & Arran',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000015',
    website: 'https://www.nhsaaa.net',
  },
  {
    slug: 'nhs-borders',
    nameEn: 'NHS Borders',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000016',
    website: 'https://www.nhsborders.scot.nhs.uk',
  },
  {
    slug: 'nhs-dumfries-and-galloway',
    nameEn: 'NHS Dumfries and Galloway',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000017',
    website: 'https://www.nhsdg.co.uk',
  },
  {
    slug: 'nhs-fife',
    nameEn: 'NHS Fife',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000029',
    website: 'https://www.nhsfife.org',
  },
  {
    slug: 'nhs-forth-valley',
    nameEn: 'NHS Forth Valley',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000019',
    website: 'https://nhsforthvalley.com',
  },
  {
    slug: 'nhs-grampian',
    nameEn: 'NHS Grampian',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000020',
    website: 'https://www.nhsgrampian.org',
  },
  {
    slug: 'nhs-greater-glasgow-and-clyde',
    nameEn: 'NHS Greater Glasgow and Clyde',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000031',
    website: 'https://www.nhsggc.scot',
  },
  {
    slug: 'nhs-highland',
    nameEn: 'NHS Highland',
    // Used by the board itself in its Gaelic statements and dual-language logo.
    nameGd: 'NHS na Gàidhealtachd',
    gaelicReviewed: true,
    type: 'health-board',
    gssCode: 'S08000022',
    website: 'https://www.nhshighland.scot.nhs.uk',
  },
  {
    slug: 'nhs-lanarkshire',
    nameEn: 'NHS Lanarkshire',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000032',
    website: 'https://www.nhslanarkshire.scot.nhs.uk',
  },
  {
    slug: 'nhs-lothian',
    nameEn: 'NHS Lothian',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000024',
    website: 'https://www.nhslothian.scot',
  },
  {
    slug: 'nhs-orkney',
    nameEn: 'NHS Orkney',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000025',
    website: 'https://www.ohb.scot.nhs.uk',
  },
  {
    slug: 'nhs-shetland',
    nameEn: 'NHS Shetland',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000026',
    website: 'https://www.nhsshetland.scot',
  },
  {
    slug: 'nhs-tayside',
    nameEn: 'NHS Tayside',
    nameGd: null,
    gaelicReviewed: false,
    type: 'health-board',
    gssCode: 'S08000030',
    website: 'https://www.nhstayside.scot.nhs.uk',
  },
  {
    slug: 'nhs-western-isles',
    nameEn: 'NHS Western Isles',
    // Well attested in Gaelic usage; 'Bòrd Slàinte nan Eilean Siar' is also used.
    nameGd: 'NHS nan Eilean Siar',
    gaelicReviewed: true,
    type: 'health-board',
    gssCode: 'S08000028',
    website: 'https://www.wihb.scot.nhs.uk',
  },
]

const specialHealthBoards: ReferenceOrganisation[] = [
  {
    slug: 'nhs-24',
    nameEn: 'NHS 24',
    nameGd: null,
    gaelicReviewed: false,
    type: 'special-health-board',
    gssCode: null,
    website: 'https://www.nhs24.scot',
  },
  {
    slug: 'nhs-education-for-scotland',
    nameEn: 'NHS Education for Scotland',
    nameGd: null,
    gaelicReviewed: false,
    type: 'special-health-board',
    gssCode: null,
    website: 'https://www.nes.scot.nhs.uk',
  },
  {
    slug: 'nhs-national-services-scotland',
    nameEn: 'NHS National Services Scotland',
    nameGd: null,
    gaelicReviewed: false,
    type: 'special-health-board',
    gssCode: null,
    website: 'https://www.nss.nhs.scot',
  },
  {
    slug: 'healthcare-improvement-scotland',
    nameEn: 'Healthcare Improvement Scotland',
    nameGd: null,
    gaelicReviewed: false,
    type: 'special-health-board',
    gssCode: null,
    website: 'https://www.healthcareimprovementscotland.scot',
  },
  {
    slug: 'public-health-scotland',
    nameEn: 'Public Health Scotland',
    nameGd: 'Slàinte Poblach na h-Alba',
    gaelicReviewed: true,
    type: 'special-health-board',
    gssCode: null,
    website: 'https://publichealthscotland.scot',
  },
  {
    slug: 'scottish-ambulance-service',
    nameEn: 'Scottish Ambulance Service',
    nameGd: null,
    gaelicReviewed: false,
    type: 'special-health-board',
    gssCode: null,
    website: 'https://www.scottishambulance.com',
  },
  {
    slug: 'state-hospitals-board-for-scotland',
    nameEn: 'The State Hospitals Board for Scotland',
    nameGd: null,
    gaelicReviewed: false,
    type: 'special-health-board',
    gssCode: null,
    website: 'https://www.tsh.scot.nhs.uk',
  },
  {
    slug: 'nhs-golden-jubilee',
    // Statutory name: National Waiting Times Centre Board.
    nameEn: 'NHS Golden Jubilee',
    nameGd: null,
    gaelicReviewed: false,
    type: 'special-health-board',
    gssCode: null,
    website: 'https://www.nhsgoldenjubilee.co.uk',
  },
]

const nationalBodies: ReferenceOrganisation[] = [
  {
    slug: 'police-scotland',
    // Statutory name: the Police Service of Scotland.
    nameEn: 'Police Scotland',
    nameGd: 'Poileas Alba',
    gaelicReviewed: true,
    type: 'police',
    gssCode: null,
    website: 'https://www.scotland.police.uk',
  },
  {
    slug: 'scottish-fire-and-rescue-service',
    nameEn: 'Scottish Fire and Rescue Service',
    nameGd: 'Seirbheis Smàlaidh agus Teasairginn na h-Alba',
    gaelicReviewed: true,
    type: 'fire-and-rescue',
    gssCode: null,
    website: 'https://www.firescotland.gov.uk',
  },
  {
    slug: 'scottish-government',
    nameEn: 'The Scottish Government',
    nameGd: 'Riaghaltas na h-Alba',
    gaelicReviewed: true,
    type: 'government',
    gssCode: null,
    website: 'https://www.gov.scot',
  },
  {
    slug: 'digital-office-for-scottish-local-government',
    nameEn: 'Digital Office for Scottish Local Government',
    nameGd: null,
    gaelicReviewed: false,
    type: 'digital-office',
    gssCode: null,
    website: 'https://www.digitaloffice.scot',
  },
]

export const referenceOrganisations: readonly ReferenceOrganisation[] = Object.freeze([
  ...councils,
  ...territorialHealthBoards,
  ...specialHealthBoards,
  ...nationalBodies,
])
