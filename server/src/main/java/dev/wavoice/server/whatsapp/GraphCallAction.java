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
}
