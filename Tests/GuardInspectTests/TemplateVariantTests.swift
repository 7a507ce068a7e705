import GuardInspect
import Testing

/// Server-side template injection written for these tests from the engine families (Jinja2,
/// Twig, FreeMarker, Velocity, Thymeleaf/SpEL, ERB, Smarty, Handlebars, Pug), not taken
/// from the corpus.
@Suite struct TemplateVariantTests {
    static func classes(_ payload: String) -> Set<DetectorClass> {
        Set(Inspector().inspect(payload: payload, location: "/queryStringParameters/name").findings.map(\.detectorClass))
    }

    static let attacks: [String] = [
        "{{7*'7'}}", "{{ 9*9 }}", "${6*6}", "#{8*8}", "*{5*5}", "<%= 7*7 %>", "{{config.items()}}",
        "{{request.application.__globals__}}", "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{''.__class__}}", "{% import os %}{{ os.system('id') }}",
        "${\"freemarker.template.utility.Execute\"?new()(\"id\")}",
        "#set($x='')#set($rt=$x.class.forName('java.lang.Runtime'))",
        "{{range.constructor(\"return global.process.mainModule.require('child_process').execSync('id')\")()}}",
        "<%= system('id') %>", "<%= `id` %>", "${T(java.lang.System).getenv()}",
        "*{T(java.lang.Runtime).getRuntime().exec('id')}", "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ get_flashed_messages.__globals__ }}", "{{ url_for.__globals__.os }}", "{php}echo `id`;{/php}",
        "{system('id')}", "{$smarty.version}", "${{7*7}}", "{{= 7*7}}", "{{ [].class.base.subclasses() }}",
        "{{ request|attr('application') }}", "{{ ().__class__.__bases__[0] }}", "[[${7*7}]]",
        "{{ x|attr(\"__class__\") }}", "{{request[\"application\"]}}", "{{ self.__init__ }}", "<#assign x=1>",
        "{{ dump(app) }}", "{{['id']|filter('system')}}", "{{['id']|map('passthru')}}",
        "{{_self.env.registerUndefinedFilterCallback('exec')}}", "{{ 7 * 7 }}", "{{'7'*7}}",
        "${T(java.lang.Runtime).getRuntime().exec('id')}", "#{T(java.lang.Runtime).getRuntime()}",
        "<%= File.open('/etc/group').read %>", "<%= IO.popen('id').readlines() %>", "{{ namespace.__init__ }}",
        "${request.getClass()}", "{{ joiner.__init__.__globals__ }}", "{% debug %}", "{{ settings.SECRET_KEY }}",
        "{{ app.request.server.all|join(',') }}", "#{ 3 * 3 }", "${ 4*4 }", "@{7*7}", "{{ 1337*2 }}",
        "${self.module.cache.util.os.system(\"id\")}", "@System.Diagnostics.Process.Start(\"cmd.exe\")",
        "{{ ''|attr('__class__') }}", "{{ ['id']|sort('system') }}", "{{ 'id'|filter('exec') }}",
        "<%= Dir.entries('/') %>", "${applicationScope}", "${pageContext.request.serverName}",
        "%{(#rt=@java.lang.Runtime@getRuntime())}", "<%- include('/etc/group') %>", "<%= global.process.mainModule %>",
        "{{ self._TemplateReference__context }}", "{{ config.__class__.__init__.__globals__['os'] }}",
        "${__import__('os').popen('id').read()}", "{{ (7).__add__(7) }}", "{{ request.environ }}", "{{ user.password }}", "{{ account.secret_token }}", "${db.passwd}",
    ]

    static let nearMisses: [String] = [
        "Hello {{ user.secretary }}", "{{ form.password_hint }}",
        "{{first_name}}", "{{ name|upper }}", "${NAME}", "Hello {{ user.name }}", "use ${HOME} dir", "#{id}",
        "price {{ price }}", "Dear {{ customer_name }},", "{{ order.total }} due", "{name}", "{{ date|date:\"Y\" }}",
        "5*5 = 25", "{{ count }} items", "mail me@system.example.com", "<%= title %>", "%{user} logged in", "{{- name }}", "{{ reset_password_link }}", "{{ user.password_hint_label }}x",
    ]

    @Test(arguments: attacks)
    func detects(_ payload: String) {
        #expect(Self.classes(payload).contains(.ssti), "ssti missed: \(payload)")
    }

    @Test(arguments: nearMisses)
    func passes(_ payload: String) {
        #expect(Self.classes(payload).isEmpty, "flagged: \(payload) as \(Self.classes(payload))")
    }
}
