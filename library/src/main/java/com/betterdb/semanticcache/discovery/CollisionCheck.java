package com.betterdb.semanticcache.discovery;

import com.betterdb.semanticcache.SemanticCacheUsageError;
import java.util.Objects;
import java.util.Optional;

/**
 * Outcome of inspecting an existing registry marker before registration (docs/decision-rules.md §15 step 2,
 * docs/data-format.md §11.1).
 *
 * @param kind            what was found
 * @param existingType    the existing marker's type (as JS {@code String(type)}); {@code null} when none
 * @param existingVersion the existing marker's version (as JS {@code String(version)}); {@code null} when none
 * @param thisVersion     the version about to be written
 */
public record CollisionCheck(Kind kind, String existingType, String existingVersion, String thisVersion) {

    public CollisionCheck {
        Objects.requireNonNull(kind, "kind");
    }

    public enum Kind {
        /** Absent, not JSON, not a JSON object, or no (truthy) type: overwrite silently. */
        NONE,
        /** Our type with the same (or no/empty) version: overwrite silently. */
        SAME_TYPE_SAME_VERSION,
        /** Our type with a different non-empty version: overwrite with a warning. */
        SAME_TYPE_OTHER_VERSION,
        /** Another non-empty type: fail before writing anything. */
        COLLISION
    }

    /** The warning for {@link Kind#SAME_TYPE_OTHER_VERSION}, empty otherwise. */
    public Optional<String> warningMessage(String name) {
        if (kind != Kind.SAME_TYPE_OTHER_VERSION) {
            return Optional.empty();
        }
        return Optional.of("discovery: overwriting marker for '" + name + "' (existing version "
                + existingVersion + ", this version " + thisVersion + ")");
    }

    /** The error message for {@link Kind#COLLISION}, empty otherwise. */
    public Optional<String> collisionMessage(String name) {
        if (kind != Kind.COLLISION) {
            return Optional.empty();
        }
        return Optional.of("cache name collision: '" + name + "' is already registered as type '"
                + existingType + "' on this Valkey instance");
    }

    /** Throws {@link SemanticCacheUsageError} with {@link #collisionMessage} when this is a collision. */
    public void throwIfCollision(String name) {
        Optional<String> msg = collisionMessage(name);
        if (msg.isPresent()) {
            throw new SemanticCacheUsageError(msg.get());
        }
    }
}
