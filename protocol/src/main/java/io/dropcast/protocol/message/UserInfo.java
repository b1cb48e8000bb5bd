package io.dropcast.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Who a connection is: the claims of its token.
 *
 * @param userId the user id chosen by the brand (or a generated guest id)
 * @param name display name
 * @param role {@code viewer}, {@code host}, {@code moderator} or {@code guest}
 * @param show the show the token is for; null for a brand-wide viewer token
 * @param brand the brand that minted the token; null for guests
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserInfo(String userId, String name, String role, String show, String brand) {}
