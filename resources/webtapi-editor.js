/*
 * Editor helpers shared by the METASEC WebTAPI node dialogs (nodes/webtapi-*.html).
 *
 * Node-RED (1.3 and later) serves a package's top-level resources/ directory to the editor at
 * resources/<module name>/<file>. Every editor html of this package starts with
 *     <script src="resources/node-red-contrib-metasec-webtapi/webtapi-editor.js"></script>
 * and the editor appends a node file's inline scripts only after that file's src scripts have
 * loaded, so window.MetasecWebtapiEditor is there when the node registers. As each html carries
 * the tag, this file may run several times: the first run defines the namespace, later runs keep it
 * (a node that already registered holds functions of the first one).
 * The editor (3.1 to 5.0) has no error handler on that load: without this file it never finishes
 * loading the palette, so package.json "files" ships resources/ and the static checks require it.
 *
 * Plain ES5 and no build step: it runs as it is in every browser the editor supports.
 */
(function(global) {
    "use strict";
    if (global.MetasecWebtapiEditor) { return; }

    var MODULE = "node-red-contrib-metasec-webtapi";
    var TYPES = ["str", "num", "msg", "flow", "global", "env"];
    var ENV_RE = /^\$\{[^}]+\}$/;
    var EXT_RE = /^[A-Za-z0-9*#+_.-]{1,64}$/;
    var CHAN_RE = /^[A-Za-z0-9][A-Za-z0-9_.@:\/+#*-]{0,127}$/;
    var ID_RE = /^[A-Za-z0-9_-]{1,32}$/;

    function isExt(v) { return EXT_RE.test(v); }
    function isChan(v) { return CHAN_RE.test(v) && v.indexOf("/") > 0 && v.indexOf("..") === -1; }
    function isId(v) { return ID_RE.test(v); }
    /* A comma-separated list whose every (trimmed) item passes `test`. */
    function listOf(test) {
        return function(v) {
            var parts = v.split(",");
            for (var i = 0; i < parts.length; i++) { if (!test(parts[i].trim())) { return false; } }
            return true;
        };
    }

    /* How a TypedInput value reads in a label. */
    function show(v, type) {
        /* an object here is the editor's runtime status that overwrote a property named "status" */
        var s = (v === undefined || v === null || typeof v === "object") ? "" : String(v).trim();
        if (!s) { return ""; }
        if (type === "msg" || type === "flow" || type === "global") { return type + "." + s; }
        if (type === "env") { return "${" + s + "}"; }
        return s;
    }
    function join(a, b) { return b ? a + " " + b : a; }

    /* Turns #node-input-F into a TypedInput whose type is kept in #node-input-FType (empty = "str"). */
    function typedField(field, types) {
        var $f = $("#node-input-" + field);
        var $t = $("#node-input-" + field + "Type");
        if (!$t.val()) { $t.val("str"); }
        $f.typedInput({ default: "str", types: (types || TYPES).slice(), typeField: $t });
        return $f;
    }
    function innerInput($f) {
        var inst = null;
        try { inst = $f.typedInput("instance"); } catch (e) { inst = null; }
        if (inst && inst.input) { return inst.input; }
        return $f.next(".red-ui-typedInput-container").find("input.red-ui-typedInput-input").first();
    }
    /* Offer the datalist on the TypedInput's text box while its type is "str". */
    function bindList($f, listId) {
        var $in = innerInput($f);
        function update() {
            var type = "str";
            try { type = $f.typedInput("type"); } catch (e) { type = "str"; }
            if (type === "str") { $in.attr("list", listId); } else { $in.removeAttr("list"); }
        }
        $f.on("change", update);
        update();
    }
    /* Fill datalists #webtapi-options-<kind> from the deployed config node; quiet on 404/error but for a hint. */
    function pickLists(kinds) {
        var timer = null;
        function load() {
            var id = $("#node-input-server").val();
            var $hint = $("#webtapi-options-hint");
            kinds.forEach(function(kind) { $("#webtapi-options-" + kind).empty(); });
            if (!id || id === "_ADD_") { $hint.hide(); return; }
            var pending = kinds.length;
            var failed = false;
            kinds.forEach(function(kind) {
                $.ajax({
                    url: "metasec-webtapi/" + encodeURIComponent(id) + "/options/" + kind,
                    type: "GET",
                    dataType: "json",
                    cache: false
                }).done(function(data) {
                    if ($("#node-input-server").val() !== id) { return; }
                    var $list = $("#webtapi-options-" + kind).empty();
                    var items = (data && Array.isArray(data.items)) ? data.items : [];
                    items.forEach(function(item) {
                        if (!item || item.value === undefined || item.value === null) { return; }
                        var value = String(item.value);
                        var label = (item.label === undefined || item.label === null) ? "" : String(item.label);
                        var $o = $("<option>").attr("value", value);
                        if (label && label !== value) { $o.text(label); }
                        $o.appendTo($list);
                    });
                }).fail(function() {
                    failed = true;
                }).always(function() {
                    pending -= 1;
                    if (pending === 0 && $("#node-input-server").val() === id) { $hint.toggle(failed); }
                });
            });
        }
        function schedule() {
            if (timer) { clearTimeout(timer); }
            timer = setTimeout(load, 100);
        }
        $("#node-input-server").on("change", schedule);
        schedule();
    }
    /*
     * Show only the rows (selector `rows`) whose attribute `attr`, a space-separated list, holds the
     * select's value; an empty select is set to `fallback`.
     */
    function toggleRows(select, fallback, rows, attr) {
        var $select = $(select);
        if (!$select.val()) { $select.val(fallback); }
        function update() {
            var value = $select.val() || fallback;
            $(rows).each(function() {
                var values = ($(this).attr(attr) || "").split(" ");
                $(this).toggle(values.indexOf(value) !== -1);
            });
        }
        $select.on("change", update);
        update();
        return $select;
    }

    /*
     * The helpers for one node type: the shared ones below, plus `_t`, which reads that type's message
     * catalogue, and validators that answer with its texts (true, else with `opt` the message, else false).
     */
    function forType(type) {
        var ns = MODULE + "/" + type + ":";
        function _t(key, opts) { return RED._(ns + key, opts); }
        function check(test, key) {
            return function(v, opt) {
                if (test.call(this, v)) { return true; }
                return opt ? _t(key) : false;
            };
        }
        function oneOf(values, key) {
            return check(function(v) { return values.indexOf(v) !== -1; }, key);
        }
        /* A plain text property: empty and ${ENV} pass, anything else (trimmed) must pass `test`. */
        function textValidator(test, key) {
            return check(function(v) {
                var s = (v === undefined || v === null) ? "" : String(v).trim();
                return s === "" || ENV_RE.test(s) || test(s);
            }, key);
        }
        /* Validator of a TypedInput property F whose type is in FType (missing = "str"): a plain string must pass `test`. */
        function typedValidator(field, test, key) {
            var base = RED.validators.typedInput(field + "Type");
            return function(v, opt) {
                var $type = $("#node-input-" + field + "Type");
                var type = ($type.length && $type.val()) || this[field + "Type"] || "str";
                var s = (v === undefined || v === null) ? "" : String(v);
                if (type === "str" && test && s !== "" && !ENV_RE.test(s) && !test(s)) {
                    return opt ? _t(key) : false;
                }
                return base.call(this, s, opt);
            };
        }
        var helpers = { _t: _t, check: check, oneOf: oneOf, textValidator: textValidator, typedValidator: typedValidator };
        Object.keys(shared).forEach(function(name) { helpers[name] = shared[name]; });
        return Object.freeze(helpers);
    }

    var shared = {
        ENV_RE: ENV_RE,
        isExt: isExt,
        isChan: isChan,
        isId: isId,
        isExtList: listOf(isExt),
        isIdList: listOf(isId),
        show: show,
        join: join,
        typedField: typedField,
        bindList: bindList,
        pickLists: pickLists,
        toggleRows: toggleRows
    };
    shared.forType = forType;
    global.MetasecWebtapiEditor = Object.freeze(shared);
})(window);
