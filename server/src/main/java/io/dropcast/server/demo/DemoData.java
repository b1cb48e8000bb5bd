package io.dropcast.server.demo;

import io.dropcast.server.DropcastServer;
import io.dropcast.server.auth.Identity;
import io.dropcast.server.auth.Role;
import io.dropcast.server.brand.ApiKeys;
import io.dropcast.server.brand.Brand;
import io.dropcast.server.catalog.Product;
import io.dropcast.server.config.Settings;
import io.dropcast.server.show.Show;
import io.dropcast.server.util.Ids;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Demo mode ({@code demo=true}): seeds a brand, three products and a show that allows guests, then
 * prints the keys, tokens and links a newcomer needs to try everything at once.
 */
public final class DemoData {
  private DemoData() {}

  /** What was seeded, for the banner and for tests. */
  public record Seeded(Brand brand, String apiKey, List<Product> products, Show show, String hostToken,
                       String moderatorToken, String viewerToken) {}

  /** Seeds the demo data and prints the banner. */
  public static Future<Seeded> seed(DropcastServer server) {
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
        .map(issued -> {
          Seeded seeded = new Seeded(brand, issued.secret(), products, show, hostToken, modToken, viewerToken);
          printBanner(server, seeded);
          return seeded;
        });
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
