package dev.wavoice.server.permission;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.config.PermissionSettings;
import dev.wavoice.server.whatsapp.GraphApiClient;
import dev.wavoice.server.whatsapp.GraphApiException;
import dev.wavoice.server.whatsapp.MessagesWebhookListener;
import dev.wavoice.server.whatsapp.WebhookPayload;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WhatsApp call permissions for business-initiated calls: whether a user may be dialled now ({@link #check}),
 * asking a user for permission ({@link #requestPermission}), and the user's answer and messages from the
 * {@code messages} webhook ({@link #onMessage}), each kept per business phone number and user in the database.
 * A user is a phone number (digits; a leading + or spaces are dropped) or a BSUID.
 */
public final class CallPermissionService implements MessagesWebhookListener {
    private static final Logger log = LoggerFactory.getLogger(CallPermissionService.class);

    /** The body of the interactive request when the caller gives none (Meta requires one). */
    public static final String DEFAULT_REQUEST_TEXT = "May we call you on WhatsApp?";
    /** Meta: a temporary grant lasts 7 days from the user's approval; used when a reply lacks its expiry. */
    static final Duration TEMPORARY_GRANT = Duration.ofDays(7);

    private final CallPermissionStore store;
    private final GraphApiClient graph;
    private final PermissionSettings settings;
    private final ObjectMapper json;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final List<GrantListener> listeners = new CopyOnWriteArrayList<>();
    /**
     * Grants this instance stored or read lately, so that dialling a user it just checked reads no database: the
     * read cost a millisecond at the median and several in the tail, on the path to Graph's {@code connect}. An entry
     * is dropped when a reply or a message from its user arrives here; one that arrived on another instance is seen
     * once the entry is older than the cache time, as a stored row would be.
     */
    private final Map<String, CallPermission> hotGrants = new ConcurrentHashMap<>();
    private static final int MAX_HOT_GRANTS = 10_000;

    public CallPermissionService(CallPermissionStore store, GraphApiClient graph, PermissionSettings settings,
            ObjectMapper json, Clock clock, MeterRegistry metrics) {
        this.store = store;
        this.graph = graph;
        this.settings = settings;
        this.json = json;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * May wavoice dial {@code user} now? A stored grant still in force and fresher than the configured cache time
     * answers at once; otherwise Graph is asked and its answer stored. The database being down only costs the
     * cache: Graph is asked, and its answer is still returned.
     *
     * @throws GraphApiException Graph's refusal with Meta's code intact (e.g. 613: permission checks too frequent)
     */
    public PermissionDecision check(String phoneNumberId, String user) throws GraphApiException {
        String who = normalize(user);
        Instant now = clock.instant();
        CallPermission hot = hotGrants.get(hotKey(phoneNumberId, who));
        if (hot != null && fresh(hot, now)) {
            metrics.counter("wavoice.permission.checks", "source", "memory").increment();
            return PermissionDecision.of(hot, now, true);
        }
        Optional<CallPermission> stored = find(phoneNumberId, who);
        if (stored.isPresent() && fresh(stored.get(), now)) {
            metrics.counter("wavoice.permission.checks", "source", "cache").increment();
            keepHot(stored.get());
            return PermissionDecision.of(stored.get(), now, true);
        }
        PermissionCheck answer;
        try {
            answer = PermissionCheck.parse(graph.callPermissions(phoneNumberId, who));
        } catch (IllegalArgumentException e) {
            throw new GraphApiException("call_permissions", 200, null, null, null, "unusable answer: " + e.getMessage(),
                    null, 1, e);
        }
        metrics.counter("wavoice.permission.checks", "source", "graph").increment();
        PermissionStatus status = remembered(stored.orElse(null), answer.status(), now);
        CallPermission row = new CallPermission(phoneNumberId, who, status, answer.expiresAt(), answer.actions(),
                PermissionSource.GRAPH_CHECK, now, now, stored.map(CallPermission::lastInboundAt).orElse(null));
        try {
            store.saveCheck(phoneNumberId, who, status, answer.expiresAt(), answer.actionsJson(), now);
        } catch (SQLException e) {
            storeFailed("save_check", e);
        }
        if (fresh(row, now)) {
            keepHot(row);
        }
        PermissionDecision decision = PermissionDecision.of(row, now, false);
        log.info("permission.checked user={} status={} mayDial={} mayRequest={} reason=\"{}\"", who,
                decision.status().wireName(), decision.mayDial(), decision.mayRequestPermission(), decision.reason());
        return decision;
    }

    /**
     * Asks {@code user} for call permission: the free-form interactive {@code call_permission_request} while the
     * user's last message is less than 24 h old, else the configured template ({@code bodyText}, when given,
     * fills its body's first parameter). Meta's {@code send_call_permission_request} limits are honoured first.
     *
     * @throws PermissionRequestException no template outside the window, or a request limit used up (Meta's figures)
     * @throws GraphApiException          Graph refused the check or the message (Meta's code intact, e.g. 138009)
     */
    public PermissionRequestResult requestPermission(String phoneNumberId, String user, String bodyText)
            throws GraphApiException, PermissionRequestException {
        String who = normalize(user);
        PermissionDecision before = check(phoneNumberId, who);
        if (before.status().isGrant()) {
            return new PermissionRequestResult(PermissionRequestResult.Kind.ALREADY_GRANTED, null, before);
        }
        if (!before.mayRequestPermission()) {
            ActionLimit limit = before.requestLimit();
            throw new PermissionRequestException(PermissionRequestException.Reason.REQUEST_LIMIT_REACHED,
                    "Meta allows no call permission request to " + who + " now: send_call_permission_request"
                            + " can_perform_action=false" + (limit == null ? "" : " (limit " + limit.describe() + ")"),
                    before, null);
        }
        Instant now = clock.instant();
        CallPermission row = find(phoneNumberId, who).orElse(null);
        boolean inWindow = row != null && row.inServiceWindow(now);
        if (!inWindow && settings.template() == null) {
            throw new PermissionRequestException(PermissionRequestException.Reason.NO_TEMPLATE, who
                    + " is outside the 24 h customer-service window (last message from the user: "
                    + (row == null || row.lastInboundAt() == null ? "never" : row.lastInboundAt())
                    + "), where only a template can ask for call permission, and WAVOICE_PERMISSION_TEMPLATE is not set",
                    before, null);
        }
        PermissionRequestResult.Kind kind = inWindow ? PermissionRequestResult.Kind.INTERACTIVE
                : PermissionRequestResult.Kind.TEMPLATE;
        ObjectNode body = inWindow ? interactiveRequest(who, bodyText) : templateRequest(who, bodyText);
        String messageId = graph.sendMessage(phoneNumberId, inWindow ? "call_permission_request" : "template", body);
        metrics.counter("wavoice.permission.requests", "kind", kind.name().toLowerCase(Locale.ROOT)).increment();
        log.info("permission.requested user={} kind={} messageId={}", who, kind, messageId);
        return new PermissionRequestResult(kind, messageId, before);
    }

    /** The permission rows, most recently changed first (at most {@code limit}). */
    public List<CallPermission> list(int limit) throws SQLException {
        return store.list(limit);
    }

    /** The stored row of one user, if any (no Graph request). */
    public Optional<CallPermission> stored(String phoneNumberId, String user) throws SQLException {
        return store.find(phoneNumberId, normalize(user));
    }

    public void addGrantListener(GrantListener listener) {
        listeners.add(listener);
    }

    public void removeGrantListener(GrantListener listener) {
        listeners.remove(listener);
    }

    /** A user message from the {@code messages} webhook: it opens the service window; a permission reply is stored. */
    @Override
    public void onMessage(String phoneNumberId, WebhookPayload.MessagesValue value,
            WebhookPayload.InboundMessage message) {
        if (phoneNumberId == null || phoneNumberId.isBlank()) {
            malformed("no metadata.phone_number_id", message.id());
            return;
        }
        String phone = blankToNull(message.from());
        String bsuid = blankToNull(message.fromUserId());
        for (WebhookPayload.Contact c : value.contactList()) {
            if ((phone != null && phone.equals(c.waId())) || (bsuid != null && bsuid.equals(c.userId()))) {
                phone = phone != null ? phone : blankToNull(c.waId());
                bsuid = bsuid != null ? bsuid : blankToNull(c.userId());
            }
        }
        String user;
        try {
            user = normalize(phone != null ? phone : bsuid);
        } catch (IllegalArgumentException e) {
            malformed(e.getMessage(), message.id());
            return;
        }
        String alias = phone != null && bsuid != null ? bsuid : null;
        Instant now = clock.instant();
        Instant at = sentAt(message.timestamp(), now);
        hotGrants.remove(hotKey(phoneNumberId, user));
        if (alias != null) {
            hotGrants.remove(hotKey(phoneNumberId, alias));
        }
        try {
            store.recordInbound(phoneNumberId, user, at);
            if (alias != null && store.exists(phoneNumberId, alias)) {
                store.recordInbound(phoneNumberId, alias, at);
            }
        } catch (SQLException e) {
            storeFailed("record_inbound", e);
        }
        WebhookPayload.Interactive interactive = message.interactive();
        if ("interactive".equals(message.type()) && interactive != null
                && "call_permission_reply".equals(interactive.type())) {
            onReply(phoneNumberId, user, alias, message, interactive.callPermissionReply(), at, now);
        }
    }

    private void onReply(String phoneNumberId, String user, String alias, WebhookPayload.InboundMessage message,
            WebhookPayload.CallPermissionReply reply, Instant at, Instant now) {
        String requestId = message.context() == null ? null : message.context().id();
        String response = reply == null || reply.response() == null ? "" : reply.response();
        PermissionReply outcome = switch (response) {
            case "accept" -> {
                boolean permanent = Boolean.TRUE.equals(reply.isPermanent());
                Instant expires = permanent ? null : reply.expirationTimestamp() != null
                        ? Instant.ofEpochSecond(reply.expirationTimestamp()) : at.plus(TEMPORARY_GRANT);
                yield new PermissionReply.Granted(phoneNumberId, user, requestId,
                        permanent ? PermissionStatus.PERMANENT : PermissionStatus.TEMPORARY, expires,
                        reply.responseSource());
            }
            case "reject" -> new PermissionReply.Rejected(phoneNumberId, user, requestId, reply.responseSource());
            default -> null;
        };
        if (outcome == null) {
            malformed("call_permission_reply without response accept or reject", message.id());
            return;
        }
        PermissionStatus status = outcome instanceof PermissionReply.Granted g ? g.status() : PermissionStatus.REJECTED;
        Instant expires = outcome instanceof PermissionReply.Granted g ? g.expiresAt() : null;
        try {
            store.saveReply(phoneNumberId, user, status, expires, now);
            if (alias != null && store.exists(phoneNumberId, alias)) {
                store.saveReply(phoneNumberId, alias, status, expires, now);
            }
        } catch (SQLException e) {
            storeFailed("save_reply", e); // listeners are told anyway: their check then asks Graph
        }
        metrics.counter("wavoice.permission.replies", "response", response).increment();
        log.info("permission.reply user={} status={} expiresAt={} source={} requestMessageId={}", user,
                status.wireName(), expires, reply.responseSource(), requestId);
        for (GrantListener l : listeners) {
            try {
                switch (outcome) {
                    case PermissionReply.Granted g -> l.onGrant(g);
                    case PermissionReply.Rejected r -> l.onReject(r);
                }
            } catch (RuntimeException e) {
                log.error("permission.listener_failed user={} error=\"{}\"", user, e.toString(), e);
            }
        }
    }

    /**
     * What Meta's status means given what was known: {@code no_permission} where a grant was still in force is a
     * revocation (Meta sends no webhook for it); after a rejection or revocation it stays that.
     */
    static PermissionStatus remembered(CallPermission before, PermissionStatus fromGraph, Instant now) {
        if (fromGraph != PermissionStatus.NO_PERMISSION || before == null) {
            return fromGraph;
        }
        if (before.grantValidAt(now)) {
            return PermissionStatus.REVOKED;
        }
        return before.status() == PermissionStatus.REJECTED || before.status() == PermissionStatus.REVOKED
                ? before.status() : fromGraph;
    }

    private boolean fresh(CallPermission row, Instant now) {
        return row.grantValidAt(now) && row.updatedAt() != null
                && row.updatedAt().isAfter(now.minus(settings.cacheFor()));
    }

    private ObjectNode interactiveRequest(String to, String bodyText) {
        ObjectNode body = addressed(to).put("type", "interactive");
        ObjectNode interactive = body.putObject("interactive").put("type", "call_permission_request");
        interactive.putObject("action").put("name", "call_permission_request");
        interactive.putObject("body").put("text", bodyText == null || bodyText.isBlank() ? DEFAULT_REQUEST_TEXT : bodyText);
        return body;
    }

    private ObjectNode templateRequest(String to, String bodyText) {
        ObjectNode body = addressed(to).put("type", "template");
        ObjectNode template = body.putObject("template").put("name", settings.template());
        template.putObject("language").put("code", settings.templateLanguage());
        if (bodyText != null && !bodyText.isBlank()) {
            template.putArray("components").addObject().put("type", "body")
                    .putArray("parameters").addObject().put("type", "text").put("text", bodyText);
        }
        return body;
    }

    /** A message to a phone number goes {@code to} it; to a BSUID, {@code recipient} names the user instead. */
    private ObjectNode addressed(String user) {
        ObjectNode body = json.createObjectNode().put("messaging_product", "whatsapp").put("recipient_type", "individual");
        return GraphApiClient.isBsuid(user) ? body.put("recipient", user) : body.put("to", user);
    }

    private static String hotKey(String phoneNumberId, String user) {
        return phoneNumberId + "/" + user;
    }

    private void keepHot(CallPermission row) {
        if (hotGrants.size() >= MAX_HOT_GRANTS) {
            hotGrants.clear(); // a burst of distinct users: start over rather than track ages
        }
        hotGrants.put(hotKey(row.phoneNumberId(), row.user()), row);
    }

    private Optional<CallPermission> find(String phoneNumberId, String user) {
        try {
            return store.find(phoneNumberId, user);
        } catch (SQLException e) {
            storeFailed("find", e);
            return Optional.empty();
        }
    }

    private void storeFailed(String operation, SQLException e) {
        metrics.counter("wavoice.permission.store_errors", "operation", operation).increment();
        log.warn("permission.store_failed operation={} error=\"{}\"", operation, e.getMessage());
    }

    private void malformed(String why, String messageId) {
        metrics.counter("wavoice.webhook.messages_malformed", "part", "call_permission").increment();
        log.warn("webhook.messages_malformed part=call_permission messageId={} error=\"{}\"", messageId, why);
    }

    /** Digits only for a phone number (webhooks carry {@code wa_id} so); a BSUID as it is. */
    static String normalize(String user) {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("no user: a phone number or a BSUID is needed");
        }
        String trimmed = user.trim();
        String normal = GraphApiClient.isBsuid(trimmed) ? trimmed : trimmed.replaceAll("\\D", "");
        if (normal.isEmpty()) {
            throw new IllegalArgumentException("'" + user + "' is neither a phone number nor a BSUID");
        }
        return normal;
    }

    /** The message's own time (Unix seconds), but never in the future: a skewed clock must not stretch the window. */
    private static Instant sentAt(String timestamp, Instant now) {
        if (timestamp != null && timestamp.matches("\\d{1,12}")) {
            Instant t = Instant.ofEpochSecond(Long.parseLong(timestamp));
            return t.isAfter(now) ? now : t;
        }
        return now;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
