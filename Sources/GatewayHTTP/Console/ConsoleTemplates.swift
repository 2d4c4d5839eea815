import Mustache

/// The console's pages as Mustache templates, kept in the binary so the gateway serves them
/// with nothing beside it, and with nothing from anywhere else: the style is inline and there is
/// no script (every page is rendered on the server from the gateway's state at that moment).
/// Values are HTML-escaped by `{{…}}`; no template uses the unescaped form.
enum ConsoleTemplates {
    static let head = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{{title}} · ims-gateway console</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{background:#1d2330;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}
        header b{font-size:16px} header a{color:#c9d3e6;text-decoration:none} header a.here{color:#fff;border-bottom:2px solid #6ea8fe}
        main{padding:16px 24px} h2{margin:20px 0 8px;font-size:17px} h3{margin:14px 0 6px;font-size:15px}
        table{border-collapse:collapse;background:#fff;margin-bottom:12px} th,td{border:1px solid #dde1e8;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#eef1f5} td.n{text-align:right;font-variant-numeric:tabular-nums} code{font:12px ui-monospace,monospace}
        .ok{color:#157347} .bad{color:#b02a37;font-weight:600} .muted{color:#6c757d}
        .bar{background:#e4e8ee;width:200px;height:10px;display:inline-block} .bar i{display:block;height:10px;background:#3d8bfd}
        svg rect.req{fill:#6ea8fe} svg rect.err{fill:#dc3545} svg{background:#fff;border:1px solid #dde1e8}
        </style></head><body>
        <header><b>ims-gateway</b>{{#nav}}<a href="{{href}}"{{#current}} class="here"{{/current}}>{{label}}</a>{{/nav}}<span class="muted">{{generated}}</span></header>
        <main>
        """

    static let foot = "</main></body></html>\n"

    static let backends = """
        {{> head}}
        <h2>Backends</h2>
        <table id="backends"><tr><th>name</th><th>kind</th><th>parts</th><th>serves</th><th>health</th></tr>
        {{#backends}}<tr><td><code>{{name}}</code></td><td>{{kind}}</td><td>{{parts}}</td><td>{{role}}</td>
        <td>{{#ready}}<span class="ok">ready</span>{{/ready}}{{^ready}}<span class="bad">{{health}}</span>{{/ready}}</td></tr>
        {{/backends}}</table>
        <h2>Routes</h2>
        {{#dialects}}<h3>{{dialect}}</h3>
        <table class="routes"><tr><th>method</th><th>template</th><th>operation</th><th>backend</th></tr>
        {{#routes}}<tr><td>{{method}}</td><td><code>{{template}}</code></td><td>{{operation}}</td><td><code>{{backend}}</code></td></tr>
        {{/routes}}</table>
        {{/dialects}}
        {{> foot}}
        """

    static let traffic = """
        {{> head}}
        <h2>Requests by route, last {{minutes}} minutes</h2>
        <p class="muted">By route: dialect, operation and the template matched. Errors: answers of 500 and above;
        rejected: 400–499. p50/p99: the upper bound of the latency bucket the quantile fell in. Since this process started; kept in memory.</p>
        {{#empty}}<p>No dialect request served in the last {{minutes}} minutes.</p>{{/empty}}
        {{^empty}}<table id="traffic"><tr><th>dialect</th><th>operation</th><th>route</th><th>requests</th><th>errors</th><th>rejected</th><th>p50</th><th>p99</th><th>requests per minute (errors red)</th></tr>
        {{#rows}}<tr><td>{{dialect}}</td><td>{{operation}}</td><td><code>{{route}}</code></td><td class="n">{{requests}}</td><td class="n">{{errors}}</td><td class="n">{{rejected}}</td>
        <td class="n">{{p50}}</td><td class="n">{{p99}}</td>
        <td><svg width="{{width}}" height="{{height}}" role="img" aria-label="requests per minute">{{#bars}}<rect class="req" x="{{x}}" y="{{y}}" width="8" height="{{requestHeight}}"><title>{{label}}</title></rect><rect class="err" x="{{x}}" y="{{errorY}}" width="8" height="{{errorHeight}}"></rect>{{/bars}}</svg></td></tr>
        {{/rows}}</table>{{/empty}}
        {{> foot}}
        """

    static let shadow = """
        {{> head}}
        {{^hasShadows}}<p>No shadow backend in this config.</p>{{/hasShadows}}
        {{#shadows}}<h2>Shadow <code>{{name}}</code>: <code>{{primary}}</code> answers, <code>{{secondary}}</code> compared</h2>
        <p class="muted">Findings since {{since}}, from <code>{{record}}</code>. Values are as recorded: secrets masked.</p>
        {{#note}}<p>{{note}}</p>{{/note}}
        {{#hasReport}}
        <h3>By operation</h3>
        <table class="shadow-operations"><tr><th>operation</th><th>compared</th><th>mismatched</th><th>rate</th><th>dropped</th><th>secondary errors</th></tr>
        {{#operations}}<tr><td>{{operation}}</td><td class="n">{{compared}}</td><td class="n">{{mismatched}}</td><td class="n">{{rate}}</td><td class="n">{{dropped}}</td><td class="n">{{secondaryErrors}}</td></tr>
        {{/operations}}</table>
        <h3>Mismatch rate by hour</h3>
        {{^hasHours}}<p>Nothing compared yet.</p>{{/hasHours}}
        {{#hasHours}}<table class="shadow-hours"><tr><th>hour</th><th>operation</th><th>compared</th><th>mismatched</th><th>rate</th><th></th></tr>
        {{#hours}}<tr><td>{{hour}}</td><td>{{operation}}</td><td class="n">{{compared}}</td><td class="n">{{mismatched}}</td><td class="n">{{rate}}</td>
        <td><svg width="202" height="12" role="img" aria-label="{{rate}}"><rect x="1" y="1" width="200" height="10" fill="none" stroke="#ccd"/><rect class="err" x="1" y="1" width="{{barWidth}}" height="10"/></svg></td></tr>
        {{/hours}}</table>{{/hasHours}}
        <h3>Most frequent differences</h3>
        {{^hasPaths}}<p>None.</p>{{/hasPaths}}
        {{#hasPaths}}<table class="shadow-paths"><tr><th>count</th><th>operation</th><th>field path</th><th>kind</th></tr>
        {{#paths}}<tr><td class="n">{{count}}</td><td>{{operation}}</td><td><code class="field-path">{{path}}</code></td><td>{{kind}}</td></tr>
        {{/paths}}</table>{{/hasPaths}}
        <h3>Examples</h3>
        {{^hasExamples}}<p>None.</p>{{/hasExamples}}
        {{#hasExamples}}<table class="shadow-examples"><tr><th>when</th><th>dialect</th><th>operation</th><th>field path</th><th>kind</th><th>primary</th><th>secondary</th><th>request id</th></tr>
        {{#examples}}<tr><td>{{at}}</td><td>{{dialect}}</td><td>{{operation}}</td><td><code class="field-path">{{path}}</code></td><td>{{kind}}</td>
        <td><code>{{primary}}</code></td><td><code>{{secondary}}</code></td><td><code>{{requestId}}</code></td></tr>
        {{/examples}}</table>{{/hasExamples}}
        {{/hasReport}}
        {{/shadows}}
        {{> foot}}
        """

    static let migration = """
        {{> head}}
        {{^hasMigrations}}<p>No migration has written a status here (<code>ims-gateway migrate</code> writes one beside its default checkpoint).</p>{{/hasMigrations}}
        {{#migrations}}<h2>Migration <code>{{from}}</code> → <code>{{to}}</code>: <span class="{{stateClass}}">{{state}}</span></h2>
        <p class="muted">Started {{started}}, last written {{updated}} (process {{pid}}).</p>
        {{#error}}<p class="bad">{{error}}</p>{{/error}}
        <table class="migration-kinds"><tr><th>kind</th><th>progress</th><th>scanned</th><th>copied</th><th>MiB</th><th>rate</th><th>time left</th></tr>
        {{#kinds}}<tr><td>{{kind}}</td><td><span class="bar"><i style="width:{{barWidth}}px"></i></span> {{percent}}</td>
        <td class="n">{{scanned}} / {{total}}</td><td class="n">{{copied}}</td><td class="n">{{mib}}</td><td class="n">{{rate}}</td><td class="n">{{eta}}</td></tr>
        {{/kinds}}</table>
        {{#hasVerification}}<h3>Verification</h3>
        <table class="migration-verification"><tr><th>kind</th><th>source</th><th>target</th><th>result</th><th>missing</th><th>differing</th></tr>
        {{#verification}}<tr><td>{{kind}}</td><td class="n">{{source}}</td><td class="n">{{target}}</td>
        <td>{{#holds}}<span class="ok">same</span>{{/holds}}{{^holds}}<span class="bad">differs</span>{{/holds}}</td><td>{{missing}}</td><td>{{differing}}</td></tr>
        {{/verification}}</table>{{/hasVerification}}
        {{/migrations}}
        {{> foot}}
        """

    /// Parsed once; a template that does not parse is a bug every console test shows.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("head", head), ("foot", foot), ("backends", backends), ("traffic", traffic),
                             ("shadow", shadow), ("migration", migration)] {
            // swiftlint:disable:next force_try
            try! library.register(text, named: name)
        }
        return library
    }()
}
