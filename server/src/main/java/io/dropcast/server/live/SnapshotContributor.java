package io.dropcast.server.live;

import io.vertx.core.Future;

/**
 * Adds one section to the join snapshot of a show (e.g. the flash sales of the show), for state
 * that another feature owns. Registered with {@link LiveShows#snapshotContributor}.
 *
 * <p>Called once per join (any thread, before the room admits the viewer), so it must be cheap and
 * must not block. A failed future does not fail the join: the section is then {@code null}.
 */
@FunctionalInterface
public interface SnapshotContributor {

  /**
   * @param show the show being joined
   * @param who the joiner (a guest identity for guests)
   * @return the section's value (serialised with the shared JSON mapper); null leaves the section out
   */
  Future<?> contribute(io.dropcast.server.show.Show show, io.dropcast.server.auth.Identity who);
}
