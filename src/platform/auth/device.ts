/** A plain description of a browser from its User-Agent, such as "Firefox on Windows". */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  const ua = userAgent
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\/|HeadlessChrome\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : /curl\//.test(ua)
              ? 'curl'
              : 'A browser'
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Android/.test(ua)
        ? 'Android'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : ''
  return os ? `${browser} on ${os}` : browser
}

/**
 * Where an address is, as far as can be told without a location database: this computer, a
 * private (organisation or home) network, or the internet. A GeoIP lookup could add a town.
 */
export function describeAddress(ip: string | null): 'this-computer' | 'private-network' | 'internet' | 'unknown' {
  if (!ip) return 'unknown'
  const v4 = ip.replace(/^::ffff:/, '')
  if (v4 === '::1' || /^127\./.test(v4)) return 'this-computer'
  if (
    /^10\./.test(v4) ||
    /^192\.168\./.test(v4) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(v4) ||
    /^f[cd][0-9a-f]{2}:/i.test(ip) ||
    /^fe80:/i.test(ip)
  )
    return 'private-network'
  return 'internet'
}
