package dev.wavoice.server.whatsapp;

/** The call actions of {@code POST /<PHONE_NUMBER_ID>/calls}, named as Meta spells them. */
public enum GraphCallAction {
    PRE_ACCEPT("pre_accept"),
    ACCEPT("accept"),
    REJECT("reject"),
    TERMINATE("terminate"),
    CONNECT("connect");

    private final String wireName;

    GraphCallAction(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * Whether repeating the action after an unknown outcome is harmless. {@code connect} is not: a request that timed
     * out or failed mid-way may have placed the call, and a second one would ring the user twice; it is retried only
     * when it certainly never reached Graph (refused connection) or Graph said to come back later (429).
     */
    public boolean idempotent() {
        return this != CONNECT;
    }
}
