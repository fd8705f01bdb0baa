using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MidasEmulator.Tests.Support;

/// <summary>
/// Finds the string comparisons RS0030 cannot see: == and != with a string operand, and string constant patterns
/// (<c>is "x"</c>, <c>case "x":</c>, <c>"x" =&gt;</c>). Null checks and other types pass, and so does a line inside
/// <c>#pragma warning disable RS0030</c> … <c>restore</c>, the exemption the analyzer itself honours. The sources are
/// bound against the emulator's assembly and the framework; a comparison whose operands do not bind is reported too,
/// never passed unseen.
/// </summary>
public static class StringComparisonScan
{
    // The Web SDK's implicit usings (ImplicitUsings=enable in Directory.Build.props).
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Net.Http.Json;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Routing;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        """;

    private static readonly Lazy<List<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList());

    /// <summary>"path:line comparison" for each one found, in file and line order.</summary>
    public static List<string> Find(IEnumerable<(string Path, string Text)> sources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path)).ToList();
        // Named like the test assembly, whom the emulator's InternalsVisibleTo lets see its internals. The scanned
        // files' own types win over the same types in the referenced MidasEmulator.dll (CS0436), so a call from them
        // into the rest of the emulator may not convert (CS1503): the comparisons still bind, and one that does not is
        // reported, not passed.
        var compilation = CSharpCompilation.Create("Emulator.Tests", [.. trees, CSharpSyntaxTree.ParseText(GlobalUsings, parse)], References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var found = new List<string>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            var exempt = ExemptSpans(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                var compares = node switch
                {
                    BinaryExpressionSyntax b when b.IsKind(SyntaxKind.EqualsExpression) || b.IsKind(SyntaxKind.NotEqualsExpression) => Compares(model, b),
                    ConstantPatternSyntax p => model.GetConstantValue(p.Expression) is { HasValue: true, Value: string } ? "" : null,
                    CaseSwitchLabelSyntax c => model.GetConstantValue(c.Value) is { HasValue: true, Value: string } ? "" : null,
                    _ => null,
                };
                if (compares is not null && !exempt.Any(span => span.Contains(node.SpanStart)))
                {
                    found.Add($"{tree.FilePath}:{node.GetLocation().GetLineSpan().StartLinePosition.Line + 1} {node}{compares}");
                }
            }
        }
        return found;
    }

    /// <summary>Null when <paramref name="b"/> compares no string; "" when it does; a reason when its operands do not bind.</summary>
    private static string? Compares(SemanticModel model, BinaryExpressionSyntax b)
    {
        if (IsNull(model, b.Left) || IsNull(model, b.Right))
        {
            return null;
        }
        var types = new[] { b.Left, b.Right }.Select(e => model.GetTypeInfo(e) is var info ? info.Type ?? info.ConvertedType : null).ToList();
        if (types.Any(t => t is null || t.TypeKind == TypeKind.Error))
        {
            return " (its operands do not bind: the scan cannot tell whether it compares strings)";
        }
        return types.Any(t => t!.SpecialType == SpecialType.System_String) ? "" : null;
    }

    private static bool IsNull(SemanticModel model, ExpressionSyntax expression) =>
        model.GetConstantValue(expression) is { HasValue: true, Value: null };

    /// <summary>The spans between a #pragma warning disable naming RS0030 and the next restore naming it (or the file's end).</summary>
    private static List<Microsoft.CodeAnalysis.Text.TextSpan> ExemptSpans(SyntaxTree tree)
    {
        var spans = new List<Microsoft.CodeAnalysis.Text.TextSpan>();
        int? from = null;
        foreach (var pragma in tree.GetRoot().DescendantTrivia().Select(t => t.GetStructure()).OfType<PragmaWarningDirectiveTriviaSyntax>()
            .Where(p => p.ErrorCodes.Any(code => code.ToString() == "RS0030")))
        {
            if (pragma.DisableOrRestoreKeyword.IsKind(SyntaxKind.DisableKeyword))
            {
                from ??= pragma.Span.End;
            }
            else if (from is { } start)
            {
                spans.Add(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(start, pragma.SpanStart));
                from = null;
            }
        }
        if (from is { } open)
        {
            spans.Add(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(open, tree.Length));
        }
        return spans;
    }
}
