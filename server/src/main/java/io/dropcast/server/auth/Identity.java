package io.dropcast.server.auth;

import io.dropcast.protocol.message.UserInfo;
import io.dropcast.server.show.Show;
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

  /**
   * Whether this identity may join the show: a guest only when the show allows guests; anyone else
   * only in a show of their token's brand, and only in their token's show when it is show-bound.
   * (Whether a host token's user still hosts the show is checked by the live room.)
   *
   * @param show the show as currently stored
   * @return true when admitted
   */
  public boolean admits(Show show) {
    if (role == Role.GUEST) {
      return show.guestsAllowed();
    }
    return show.brandId().equals(brandId) && (showId == null || showId.equals(show.id()));
  }
}
