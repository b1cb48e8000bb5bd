package io.dropcast.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client request: {@code {"id":"r1","op":"chat.send","show":"shw_…","data":{…}}}.
 *
 * @param id client-chosen id (1–64 chars) echoed in the one reply this request gets
 * @param op operation name, see {@link Ops}
 * @param show the show the op applies to; may be null for connection-level ops
 * @param data op arguments; never null after decoding (an empty object when absent)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Request(String id, String op, String show, ObjectNode data) {}
