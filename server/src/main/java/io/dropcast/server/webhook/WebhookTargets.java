package io.dropcast.server.webhook;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.Locale;

/**
 * Which webhook targets a brand may reach when {@code webhook.allow-private-targets} is false: no
 * loopback (127/8, ::1), unspecified (0.0.0.0/8, ::), private (10/8, 172.16/12, 192.168/16,
 * fc00::/7), shared CGNAT (100.64/10), link-local (169.254/16 incl. the cloud metadata address,
 * fe80::/10), multicast or site-local addresses, nor IPv4-mapped/compatible IPv6 forms of them, nor
 * the name {@code localhost}. Stateless, thread-safe; never resolves a name (callers resolve off the
 * event loop and pass the addresses).
 */
final class WebhookTargets {
  private WebhookTargets() {}

  /** @return the URL's host without IPv6 brackets or a trailing dot, lower-cased; null when absent */
  static String host(String url) {
    String host = URI.create(url).getHost();
    if (host == null) {
      return null;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    while (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host.toLowerCase(Locale.ROOT);
  }

  /**
   * Checks a URL's host as written, without DNS.
   *
   * @return why the host is refused, or null when it is not a forbidden name or IP literal
   */
  static String literalProblem(String host) {
    if (host == null || host.isEmpty()) {
      return "has no host";
    }
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return "names localhost";
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
    if (ip != null) {
      try {
        InetAddress address = InetAddress.getByAddress(ip);
        if (isForbidden(address)) {
          return "is a loopback, private or link-local address (" + address.getHostAddress() + ")";
        }
      } catch (java.net.UnknownHostException e) {
        return "is not a valid IP address";
      }
    }
    return null;
  }

  /** @return true when a resolved address is one a brand's webhook must not reach */
  static boolean isForbidden(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      if (isMappedOrCompatibleV4(b)) {
        try {
          return isForbidden(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (java.net.UnknownHostException e) {
          return true;
        }
      }
      return address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
          || address.isSiteLocalAddress() || address.isMulticastAddress()
          || (b[0] & 0xfe) == 0xfc; // fc00::/7 unique local
    }
    if (address instanceof Inet4Address) {
      byte[] b = address.getAddress();
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0 // 0.0.0.0/8 "this network"
          || first == 127 || first == 10
          || (first == 172 && second >= 16 && second <= 31)
          || (first == 192 && second == 168)
          || (first == 169 && second == 254)
          || (first == 100 && second >= 64 && second <= 127) // 100.64/10 carrier-grade NAT
          || first >= 224; // multicast, reserved, broadcast
    }
    return true;
  }

  /** ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated compatible, except :: and ::1 themselves). */
  private static boolean isMappedOrCompatibleV4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = b[10] == 0 && b[11] == 0 && (b[12] | b[13]) != 0;
    return mapped || compatible;
  }
}
