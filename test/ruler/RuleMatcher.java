import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import software.amazon.event.ruler.Machine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/*
 * Matches events against EventBridge patterns with Event Ruler, the library
 * EventBridge matches with. One JVM per batch (its start-up is the slow part):
 * stdin  {"rules": [{"name": "...", "pattern": {...}}], "events": [{...}, ...]}
 * stdout [["rule", ...], ...]  the names of the rules each event matches, sorted, in event order.
 * A pattern Event Ruler refuses exits 2 naming the rule, as EventBridge would refuse to create it.
 */
public final class RuleMatcher {
    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode input = json.readTree(System.in);
        Machine machine = Machine.builder().build();
        for (JsonNode rule : input.get("rules")) {
            String name = rule.get("name").asText();
            try {
                machine.addRule(name, json.writeValueAsString(rule.get("pattern")));
            } catch (Exception e) {
                System.err.println("Event Ruler refused the pattern of rule " + name + ": " + e.getMessage());
                System.exit(2);
            }
        }
        ArrayNode out = json.createArrayNode();
        for (JsonNode event : input.get("events")) {
            List<String> names = new ArrayList<>(machine.rulesForJSONEvent(json.writeValueAsString(event)));
            Collections.sort(names);
            ArrayNode matched = out.addArray();
            names.forEach(matched::add);
        }
        System.out.println(json.writeValueAsString(out));
    }
}
