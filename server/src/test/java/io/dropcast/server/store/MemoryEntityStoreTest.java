package io.dropcast.server.store;

import io.dropcast.server.store.memory.MemoryStores;

/** The entity-store contract on the in-memory store. */
class MemoryEntityStoreTest extends EntityStoreContract {
  private final Stores stores = new MemoryStores();

  @Override
  protected Stores stores() {
    return stores;
  }
}
