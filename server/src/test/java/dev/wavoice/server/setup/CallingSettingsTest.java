package dev.wavoice.server.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

/** The wanted settings: how a file and flags are read, and what counts as a change against Graph's answer. */
class CallingSettingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFileMayHoldTheCallingObjectOrGraphsWholeAnswer() throws Exception {
        var bare = CallingSettings.fromJson(JSON.readTree("{\"status\":\"enabled\",\"call_icon_visibility\":\"disable-all\"}"));
        var wrapped = CallingSettings.fromJson(JSON.readTree("{\"calling\":{\"status\":\"ENABLED\",\"call_icon_visibility\":\"DISABLE_ALL\"}}"));

        assertThat(bare).isEqualTo(wrapped);
        assertThat(bare.calling().toString()).isEqualTo("{\"status\":\"ENABLED\",\"call_icon_visibility\":\"DISABLE_ALL\"}");
    }

    @Test
    void aDifferenceInLetterCaseIsNotAChangeButAnyOtherIs() throws Exception {
        var wanted = CallingSettings.none()
                .with(CallingSettings.STATUS, TextNode.valueOf("enabled"))
                .with(CallingSettings.CALLBACK_PERMISSION_STATUS, TextNode.valueOf("enabled"))
                .with(CallingSettings.CALL_HOURS, JSON.readTree("{\"status\":\"DISABLED\"}"));
        var current = JSON.readTree("{\"status\":\"enabled\",\"callback_permission_status\":\"DISABLED\","
                + "\"call_hours\":{\"status\":\"DISABLED\",\"timezone_id\":\"UTC\"}}");

        assertThat(wanted.changesFrom(current)).extracting(SettingChange::field)
                .containsExactly("call_hours", "callback_permission_status");
        assertThat(wanted.changesFrom(current).get(1).line())
                .isEqualTo("  callback_permission_status   DISABLED -> ENABLED");
    }

    @Test
    void flagsOverrideTheFileFieldByFieldAndBadValuesAreRefused() throws Exception {
        var file = CallingSettings.fromJson(JSON.readTree("{\"status\":\"DISABLED\",\"callback_permission_status\":\"ENABLED\"}"));
        var merged = file.overriddenBy(CallingSettings.none().with(CallingSettings.STATUS, TextNode.valueOf("enabled")));

        assertThat(merged.calling().toString()).isEqualTo("{\"status\":\"ENABLED\",\"callback_permission_status\":\"ENABLED\"}");
        assertThatThrownBy(() -> CallingSettings.none().with(CallingSettings.CALL_HOURS, TextNode.valueOf("9-5")))
                .hasMessage("call_hours must be a JSON object");
        assertThatThrownBy(() -> CallingSettings.none().with(CallingSettings.CALL_ICON_VISIBILITY, TextNode.valueOf("hidden")))
                .hasMessageStartingWith("call_icon_visibility must be one of [DEFAULT, DISABLE_ALL]");
    }
}
