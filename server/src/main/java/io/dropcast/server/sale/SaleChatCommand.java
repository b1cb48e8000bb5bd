package io.dropcast.server.sale;

import io.dropcast.protocol.ErrorCode;
import io.dropcast.protocol.ProtocolException;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.chat.ChatCommand;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Comment-to-buy: a chat message that is the configured keyword, optionally followed by a quantity
 * ("SOLD", "sold 2"; case-insensitive, the whole message), reserves the pinned sale item for its
 * writer. The item is the most recently pinned product of the show that has a live sale of this
 * show; the idempotency key is derived from the chat message id ({@code chat:<messageId>}). The
 * writer alone gets the answer, as the {@code chat.send} reply; the message is not posted to chat.
 * A writer banned from the show never gets here: the show room answers BANNED before running any
 * chat command. See {@code docs/protocol-sales.md}.
 *
 * <p>Thread-safe and non-blocking: the sale is picked from {@link SaleService#showSales} (this
 * node's index, refreshed every tick), the reservation is the same atomic store step as
 * {@code sale.reserve}.
 */
final class SaleChatCommand implements ChatCommand {
  private final SaleService service;
  private final String keyword;
  private final Pattern pattern;

  /** @param keyword one word of letters/digits (validated by the setting) */
  SaleChatCommand(SaleService service, String keyword) {
    this.service = service;
    this.keyword = keyword;
    this.pattern = Pattern.compile("(?iu)" + Pattern.quote(keyword) + "(?:\\s+(\\d+))?");
  }

  @Override
  public boolean matches(String text) {
    return pattern.matcher(text).matches();
  }

  @Override
  public Future<Object> run(Invocation invocation) {
    try {
      Identity buyer = SaleOps.buyer(invocation.writer());
      int quantity = quantity(invocation.text());
      Sale sale = pick(invocation, buyer);
      String key = "chat:" + invocation.messageId();
      return service.admitReserve(() -> service.reserve(sale, buyer.userId(), quantity, key)).map(r -> {
        Map<String, Object> reply = SaleViews.reservation(r);
        reply.put("command", "buy");
        reply.put("messageId", invocation.messageId());
        reply.put("productId", sale.productId());
        return reply;
      });
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
  }

  private int quantity(String text) {
    Matcher m = pattern.matcher(text);
    if (!m.matches() || m.group(1) == null) {
      return 1;
    }
    String digits = m.group(1);
    long n = digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
    if (n < 1 || n > Sale.MAX_QUANTITY) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST,
          "quantity after " + keyword + " must be a whole number from 1 to " + Sale.MAX_QUANTITY);
    }
    return (int) n;
  }

  /** @return the live sale of the most recently pinned product that has one */
  private Sale pick(Invocation invocation, Identity buyer) {
    List<Sale> sales = service.showSales(invocation.showId()).stream()
        .filter(s -> s.brandId().equals(buyer.brandId()))
        .toList();
    Sale upcoming = null;
    for (String productId : invocation.pinnedProductIds()) {
      for (Sale s : sales) {
        if (s.productId().equals(productId)) {
          if (s.state() == Sale.State.LIVE) {
            return s;
          }
          if (upcoming == null) {
            upcoming = s;
          }
        }
      }
    }
    if (upcoming != null) {
      throw new ProtocolException(ErrorCode.NOT_STARTED,
          "the sale of the pinned product starts at " + upcoming.startsAt() + "; write " + keyword + " again then");
    }
    if (invocation.pinnedProductIds().isEmpty()) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "no product is pinned in this show, so there is nothing to buy with "
          + keyword);
    }
    throw new ProtocolException(ErrorCode.NOT_FOUND, "no pinned product of this show has a live sale right now");
  }
}
