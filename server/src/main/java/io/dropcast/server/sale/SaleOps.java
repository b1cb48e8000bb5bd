package io.dropcast.server.sale;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.protocol.message.Event;
import io.dropcast.protocol.message.Events;
import io.dropcast.protocol.message.Ops;
import io.dropcast.protocol.message.Request;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.gateway.ClientConnection;
import io.dropcast.server.gateway.SocketGateway;
import io.dropcast.server.http.JsonBody;
import io.dropcast.server.live.LiveShows;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Socket ops for buyers: {@code sale.reserve}, {@code reservation.confirm} (built-in checkout),
 * {@code reservation.release} and {@code sale.waitlist}; see {@code docs/protocol-sales.md}.
 *
 * <p>The buyer is the connection's identity; guests may not buy. A sale of another brand (or of
 * another show than a show-bound token's) is NOT_FOUND; only the reservation's buyer may confirm or
 * release it (FORBIDDEN). A user banned from the sale's show may not reserve or join its waitlist
 * (BANNED; asked of the show's room through {@link LiveShows#isBanned}). Waitlisted connections get a {@code reservation} event
 * (seq 0, addressed to them alone) when returned stock is offered to them, whichever node made the
 * offer (offers are broadcast to every node, see {@link LiveShows#broadcast}). Thread-safe: handlers
 * run on each connection's loop; the waiter map is concurrent and hops onto the waiter's loop to send.
 */
public final class SaleOps {
  /** Longest sale or reservation id accepted in request data (real ones are far shorter). */
  private static final int MAX_REF = 128;
  private final SaleService service;
  private final LiveShows live;
  /** saleId \0 userId → connections of that buyer on this node waiting for an offer. */
  private final Map<String, Set<ClientConnection>> waiters = new ConcurrentHashMap<>();

  public SaleOps(SaleService service, LiveShows live) {
    this.service = service;
    this.live = live;
  }

  /** Registers the ops on the gateway and listens for waitlist offers. */
  public void register(SocketGateway gateway) {
    gateway.register(Ops.SALE_RESERVE, SocketGateway.Access.AUTHENTICATED, this::reserve);
    gateway.register(Ops.RESERVATION_CONFIRM, SocketGateway.Access.AUTHENTICATED, this::confirm);
    gateway.register(Ops.RESERVATION_RELEASE, SocketGateway.Access.AUTHENTICATED, this::release);
    gateway.register(Ops.SALE_WAITLIST, SocketGateway.Access.AUTHENTICATED, this::waitlist);
    // Returned stock may be offered by any node (its sweep, a release); the buyer may wait on any node.
    live.onBroadcast("sale.offer", offer -> deliverOffer(io.dropcast.protocol.JsonCodec.convert(offer, Reservation.class)));
    service.onOffer(offer -> live.broadcast("sale.offer", offer));
  }

  private static Identity buyer(ClientConnection connection) {
    return buyer(connection.identity());
  }

  /** @return the identity when it may buy. @throws ProtocolException FORBIDDEN for guests (or no identity) */
  static Identity buyer(Identity identity) {
    if (identity == null || identity.role() == Role.GUEST || identity.brandId() == null) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "guests cannot buy; sign in to reserve");
    }
    return identity;
  }

  /** @return the id in {@code field} of the request data, which has only that field; else BAD_REQUEST */
  private static String idField(Request request, String field) {
    return JsonBody.of(request.data(), field).id(field, MAX_REF, null);
  }

  /** @return the sale if this buyer may buy in it, else NOT_FOUND */
  private Future<Sale> visibleSale(Identity buyer, String saleId) {
    return visibleSale(buyer, saleId, false);
  }

  /** @param recent see {@link SaleService#saleOf(String, String, boolean)} */
  private Future<Sale> visibleSale(Identity buyer, String saleId, boolean recent) {
    return service.saleOf(buyer.brandId(), saleId, recent).map(sale -> {
      if (buyer.showId() != null && sale.showId() != null && !buyer.showId().equals(sale.showId())) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "sale " + saleId + " not found");
      }
      return sale;
    });
  }

  /** @return the sale when the buyer is not banned from its show (a sale without a show: always); else BANNED */
  private Future<Sale> notBanned(Identity buyer, Sale sale) {
    if (sale.showId() == null) {
      return Future.succeededFuture(sale);
    }
    return live.isBanned(sale.showId(), buyer.userId()).map(banned -> {
      if (banned) {
        throw new ProtocolException(ErrorCode.BANNED, "you are banned from the show of sale " + sale.id());
      }
      return sale;
    });
  }

  private Future<?> reserve(ClientConnection connection, Request request) {
    Identity buyer = buyer(connection);
    JsonBody data = JsonBody.of(request.data(), "sale", "quantity", "idempotencyKey");
    String saleId = data.id("sale", MAX_REF, null);
    String key = data.text("idempotencyKey", 1, 100, Reservation.IDEMPOTENCY_KEY,
        "must be " + Reservation.IDEMPOTENCY_KEY_RULE, null);
    int units = (int) data.integer("quantity", 1, Sale.MAX_QUANTITY, 1L);
    // The definition as this node last read it: the reservation itself is refused if it changed since.
    return service.admitReserve(() -> visibleSale(buyer, saleId, true).compose(sale -> notBanned(buyer, sale))
        .compose(sale -> service.reserve(sale, buyer.userId(), units, key))
        .map(SaleViews::reservation));
  }

  private record Owned(Sale sale, Reservation reservation) {}

  private Future<Owned> owned(ClientConnection connection, Request request) {
    return owned(connection, idField(request, "reservation"));
  }

  private Future<Owned> owned(ClientConnection connection, String id) {
    Identity buyer = buyer(connection);
    return service.reservationOf(buyer.brandId(), id).compose(r -> {
      if (!r.buyerId().equals(buyer.userId())) {
        throw new ProtocolException(ErrorCode.FORBIDDEN, "only the buyer who reserved may do this");
      }
      return visibleSale(buyer, r.saleId()).map(s -> new Owned(s, r));
    });
  }

  private Future<?> confirm(ClientConnection connection, Request request) {
    // showName: the buyer allows the show's purchase ticker to name them (default: "someone").
    Identity buyer = buyer(connection);
    JsonBody data = JsonBody.of(request.data(), "reservation", "showName");
    String id = data.id("reservation", MAX_REF, null);
    String publicName = data.bool("showName", false) ? buyer.name() : null;
    return owned(connection, id).compose(o -> service.confirm(o.sale(), o.reservation(), publicName))
        .map(order -> Map.of("order", order));
  }

  private Future<?> release(ClientConnection connection, Request request) {
    return owned(connection, request).compose(o -> service.release(o.sale(), o.reservation()))
        .map(SaleViews::reservation);
  }

  private Future<?> waitlist(ClientConnection connection, Request request) {
    Identity buyer = buyer(connection);
    String saleId = idField(request, "sale");
    return visibleSale(buyer, saleId).compose(sale -> notBanned(buyer, sale)).compose(sale -> service.joinWaitlist(sale, buyer.userId()).map(position -> {
      String key = saleId + "\u0000" + buyer.userId();
      Set<ClientConnection> set = waiters.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
      if (set.add(connection)) {
        connection.onClose(() -> waiters.computeIfPresent(key, (k, s) -> {
          s.remove(connection);
          return s.isEmpty() ? null : s;
        }));
      }
      return Map.of("sale", saleId, "position", position);
    }));
  }

  private void deliverOffer(Reservation offer) {
    Set<ClientConnection> set = waiters.remove(offer.saleId() + "\u0000" + offer.buyerId());
    if (set == null) {
      return;
    }
    service.store().get(offer.saleId()).onSuccess(sale -> {
      Map<String, Object> data = SaleViews.reservation(offer);
      data.put("offer", true);
      Event event = new Event(sale == null ? null : sale.showId(), 0, Events.RESERVATION, data);
      for (ClientConnection c : set) {
        c.context().runOnContext(v -> c.send(event));
      }
    });
  }
}
