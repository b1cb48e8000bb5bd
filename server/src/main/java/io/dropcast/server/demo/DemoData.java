package io.dropcast.server.demo;

import io.dropcast.server.DropcastServer;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.brand.ApiKeys;
import io.dropcast.server.brand.Brand;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.config.Settings;
import io.dropcast.server.sale.Sale;
import io.dropcast.server.show.Show;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Demo mode ({@code demo=true}): seeds a brand, three products, a show that allows guests and a
 * flash sale of the mug in that show (starting {@link #SALE_DELAY} after start-up, so a newcomer
 * sees the countdown), then prints the keys, tokens and links a newcomer needs to try everything.
 */
public final class DemoData {
  private DemoData() {}

  /** How long after start-up the demo flash sale opens. */
  public static final Duration SALE_DELAY = Duration.ofMinutes(2);

  /** What was seeded, for the banner and for tests. */
  public record Seeded(Brand brand, String apiKey, List<Product> products, Show show, String hostToken,
                       String moderatorToken, String viewerToken) {}

  /** Seeds the demo data (and the demo flash sale) and prints the banner. */
  public static Future<Seeded> seed(DropcastServer server) {
    return seedCatalog(server).compose(s -> seedSale(server, s).map(sale -> {
      printBanner(server, s);
      printSale(server, sale, s.products().get(2).title());
      return s;
    }));
  }

  private static Future<Seeded> seedCatalog(DropcastServer server) {
    var stores = server.stores();
    Instant now = server.clock().instant();
    String base = baseUrl(server);
    Brand brand = new Brand(Ids.newId("brd"), "Acme Outdoor", now);
    List<Product> products = List.of(
        product(brand, "TENT-2P", "Ultralight 2-person tent", "1.1 kg, sets up in 3 minutes.", 24900, now, base),
        product(brand, "BAG-35L", "Trail backpack 35 L", "Waterproof, ventilated back panel.", 12900, now, base),
        product(brand, "MUG-TI", "Titanium camp mug", "450 ml, folding handles.", 2900, now, base));
    Show show = new Show(Ids.newId("shw"), brand.id(), "Gear drop: summer trail kit", now.plus(Duration.ofMinutes(5)),
        "host-ana", products.stream().map(Product::id).toList(), true, true, Show.State.SCHEDULED, null, null, now, now);
    Duration ttl = Duration.ofHours(12);
    String hostToken = server.tokens().mint(new Identity("host-ana", "Ana (host)", Role.HOST, brand.id(), show.id(), null), ttl);
    String modToken = server.tokens().mint(new Identity("mod-ben", "Ben (moderator)", Role.MODERATOR, brand.id(), show.id(), null), ttl);
    String viewerToken = server.tokens().mint(new Identity("viewer-cleo", "Cleo", Role.VIEWER, brand.id(), show.id(), null), ttl);

    Future<Void> products$ = Future.all(products.stream().map(p -> stores.products().create(p)).toList()).mapEmpty();
    return stores.brands().create(brand)
        .compose(b -> products$)
        .compose(v -> stores.shows().create(show))
        .compose(v -> ApiKeys.issue(stores, brand.id()))
        .map(issued -> new Seeded(brand, issued.secret(), products, show, hostToken, modToken, viewerToken));
  }

  /** Images are small SVGs served by this node from web/img/ (no external requests from the pages). */
  private static Product product(Brand brand, String sku, String title, String description, long price, Instant now,
                                 String base) {
    return new Product(Ids.newId("prd"), brand.id(), sku, title, description,
        base + "/img/" + sku.toLowerCase(java.util.Locale.ROOT) + ".svg", price, "EUR", now, now);
  }

  private static String baseUrl(DropcastServer server) {
    String base = server.config().get(Settings.PUBLIC_URL);
    return base.isEmpty() ? "http://localhost:" + server.port() : base;
  }

  /** The flash sale: 10 mugs at 19.00 instead of 29.00, max 2 per buyer, 30 minutes from SALE_DELAY on. */
  private static Future<Sale> seedSale(DropcastServer server, Seeded s) {
    Instant now = server.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant start = now.plus(SALE_DELAY);
    Product mug = s.products().get(2);
    return server.sales().create(new Sale(Ids.newId("sal"), s.brand().id(), mug.id(), s.show().id(), 1900, mug.currency(),
        10, start, start.plus(Duration.ofMinutes(30)), 2, 300, Sale.State.SCHEDULED, now, now));
  }

  private static void printSale(DropcastServer server, Sale sale, String title) {
    String keyword = server.config().get(Settings.SALE_CHAT_KEYWORD);
    System.out.printf(java.util.Locale.ROOT, "  Flash sale   %s: %d x \"%s\" at %.2f %s, max %d per buyer,%n"
            + "               opens %s (in %d min), in the demo show. Pin the product in the studio;%n"
            + "               viewers buy it with the button%s.%n%n",
        sale.id(), sale.quantity(), title, sale.priceMinor() / 100.0, sale.currency(), sale.perBuyerLimit(), sale.startsAt(),
        SALE_DELAY.toMinutes(), keyword.isEmpty() ? "" : " or by writing " + keyword + " (or \"" + keyword + " 2\") in chat");
  }

  private static void printBanner(DropcastServer server, Seeded s) {
    String base = baseUrl(server);
    String ws = base.replaceFirst("^http", "ws") + "/ws";
    String banner = """

        ================================ Dropcast demo ================================
          Brand        %s (%s)
          Brand key    %s
          Admin key    %s
          Show         %s  "%s"

          Host token       %s
          Moderator token  %s
          Viewer token     %s

          Open in a browser:
            Host studio      %s/studio.html?token=%s
            Moderator        %s/studio.html?token=%s
            Viewer           %s/watch.html?show=%s&token=%s
            Guest viewer     %s/watch.html?show=%s
            Brand console    %s/console.html   (sign in with the brand key)

          Socket       %s?token=<token>   (guests may join this show without a token)
          REST         curl -H "Authorization: Bearer %s" %s/api/v1/shows
          Health       %s/health    Metrics %s/metrics
        ================================================================================
        """.formatted(s.brand().name(), s.brand().id(), s.apiKey(), server.adminKey(), s.show().id(), s.show().title(),
        s.hostToken(), s.moderatorToken(), s.viewerToken(),
        base, s.hostToken(), base, s.moderatorToken(), base, s.show().id(), s.viewerToken(), base, s.show().id(), base,
        ws, s.apiKey(), base, base, base);
    System.out.println(banner);
  }
}
