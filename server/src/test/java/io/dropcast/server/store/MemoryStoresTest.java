package io.dropcast.server.store;

import io.dropcast.server.store.memory.MemoryStores;

/** The stores contract on the in-memory store. */
class MemoryStoresTest extends StoresContract {
  private final Stores stores = new MemoryStores();

  @Override
  protected Stores stores() {
    return stores;
  }
}
