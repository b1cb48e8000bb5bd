package io.dropcast.server.sale;

import java.time.Clock;

/** The sale-store contract on the in-memory store. */
class MemorySaleStoreTest extends SaleStoreContract {
  private final SaleStore store = new MemorySaleStore(Clock.systemUTC());

  @Override
  protected SaleStore store() {
    return store;
  }
}
