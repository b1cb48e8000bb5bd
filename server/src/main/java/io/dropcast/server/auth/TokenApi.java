package io.dropcast.server.auth;

import static io.dropcast.server.http.ApiResponses.respond;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.DropcastServer;
import io.dropcast.server.config.Settings;
import io.dropcast.server.http.ApiModule;
import io.dropcast.server.http.Caller;
import io.dropcast.server.http.JsonBody;
import io.dropcast.server.show.Show;
import io.dropcast.server.show.ShowApi;
import io.dropcast.server.store.Stores;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code POST /tokens} (brand API key): mints a signed socket token for one of the brand's users.
 *
 * <p>Rules: {@code role} is viewer, host or moderator; host and moderator tokens name a {@code show},
 * viewer tokens may omit it (then valid for all of the brand's shows); the show must be the brand's
 * (NOT_FOUND otherwise); a host token's {@code userId} must equal the show's {@code hostUserId}
 * (CONFLICT: the request is well-formed but disagrees with the stored show, whose host may be changed
 * with PATCH). {@code ttlSeconds} is {@value #MIN_TTL_SECONDS}..{@code token.max-ttl-seconds},
 * default {@code token.default-ttl-seconds} (capped at the maximum).
 *
 * <p>Runs on the HTTP event loop: one store read and one HMAC.
 */
public final class TokenApi implements ApiModule {
  /** Shortest lifetime a brand may ask for; shorter tokens could expire in transit. */
  public static final int MIN_TTL_SECONDS = 10;
  public static final int MAX_USER_ID = 64;
  public static final int MAX_NAME = 64;

  private static final List<String> ROLES =
      List.of(Role.VIEWER.wireName(), Role.HOST.wireName(), Role.MODERATOR.wireName());
  private static final Pattern SHOW_ID = Pattern.compile("shw_[A-Za-z0-9]+");

  private final Stores stores;
  private final TokenService tokens;
  private final int maxTtl;
  private final int defaultTtl;

  /** What the brand gets back: the token and the claims it carries. */
  public record Minted(String token, Instant expiresAt, String role, String show, String userId, String name) {}

  public TokenApi(DropcastServer server) {
    this.stores = server.stores();
    this.tokens = server.tokens();
    this.maxTtl = server.config().get(Settings.TOKEN_MAX_TTL_SECONDS);
    this.defaultTtl = Math.min(server.config().get(Settings.TOKEN_DEFAULT_TTL_SECONDS), maxTtl);
  }

  @Override
  public void mount(Router api) {
    api.post("/tokens").handler(respond(201, this::mint));
  }

  private Future<Minted> mint(RoutingContext ctx) {
    String brandId = Caller.brand(ctx);
    JsonBody body = JsonBody.of(ctx, "role", "show", "userId", "name", "ttlSeconds");
    Role role = Role.fromWire(body.choice("role", ROLES, null));
    String showId = body.optionalText("show", 1, 64, null);
    String userId = body.line("userId", 1, MAX_USER_ID, null);
    String name = body.line("name", 1, MAX_NAME, null);
    long ttl = body.integer("ttlSeconds", MIN_TTL_SECONDS, maxTtl, (long) defaultTtl);
    if (showId == null) {
      if (role != Role.VIEWER) {
        throw JsonBody.bad("field 'show' is required for " + role.wireName() + " tokens");
      }
      return Future.succeededFuture(mint(new Identity(userId, name, role, brandId, null, null), ttl));
    }
    if (!SHOW_ID.matcher(showId).matches()) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "no show " + showId);
    }
    return ShowApi.findOwned(stores, brandId, showId).map(show -> {
      requireHostMatches(role, userId, show);
      return mint(new Identity(userId, name, role, brandId, show.id(), null), ttl);
    });
  }

  private static void requireHostMatches(Role role, String userId, Show show) {
    if (role == Role.HOST && !userId.equals(show.hostUserId())) {
      throw new ProtocolException(ErrorCode.CONFLICT, "show " + show.id() + " is hosted by '" + show.hostUserId()
          + "'; a host token must have that userId (change the show's hostUserId first to hand it over)");
    }
  }

  private Minted mint(Identity identity, long ttlSeconds) {
    String token = tokens.mint(identity, Duration.ofSeconds(ttlSeconds));
    // Read the expiry back from the token so the answer matches its exp claim to the second.
    Instant expiresAt = tokens.verify(token).expiresAt();
    return new Minted(token, expiresAt, identity.role().wireName(), identity.showId(), identity.userId(),
        identity.name());
  }
}
