package io.dropcast.server.auth;

import io.dropcast.protocol.message.UserInfo;
import java.time.Instant;

/**
 * Who a socket user is: the verified claims of their token, or a guest. Immutable.
 *
 * @param userId user id chosen by the brand, or {@code guest_…}
 * @param name display name
 * @param role role
 * @param brandId brand that minted the token; null for guests
 * @param showId show the token is limited to; null when the token is valid for all of the brand's shows
 *     (viewers only)
 * @param expiresAt token expiry; null for guests
 */
public record Identity(String userId, String name, Role role, String brandId, String showId, Instant expiresAt) {

  /** @return the claims as sent to the client in hello/auth replies */
  public UserInfo toUserInfo() {
    return new UserInfo(userId, name, role.wireName(), showId, brandId);
  }

  /** @return true when this identity may act in the given show of the given brand */
  public boolean admits(String showBrandId, String show) {
    return role == Role.GUEST || (showBrandId.equals(brandId) && (showId == null || showId.equals(show)));
  }
}
