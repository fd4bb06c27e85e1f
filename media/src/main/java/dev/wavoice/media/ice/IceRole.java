package dev.wavoice.media.ice;

/** RFC 8445 §6.1.1: the controlling agent nominates; toward an ICE-lite peer the full agent must control. */
public enum IceRole {
    CONTROLLING, CONTROLLED;

    IceRole flip() {
        return this == CONTROLLING ? CONTROLLED : CONTROLLING;
    }
}
