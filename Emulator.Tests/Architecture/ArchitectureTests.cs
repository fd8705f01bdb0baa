using Mono.Cecil;
using Mono.Cecil.Cil;

namespace MidasEmulator.Tests.Architecture;

/// <summary>
/// The folder rules of docs/architecture.md §3, read from the compiled emulator: every type a folder's code names (in
/// signatures, attributes and method bodies, lambdas and async state machines included) counts as a reference.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Lazy<Dictionary<string, HashSet<string>>> References = new(ReadReferences);

    [Fact]
    public void Midas_ReferencesNeitherAspNetCoreNorLiteDb()
    {
        var forbidden = References.Value["Midas"].Where(n => IsUnder(n, "Microsoft.AspNetCore") || IsUnder(n, "LiteDB")).ToList();

        Assert.True(forbidden.Count == 0, $"Midas/ holds the money rules and the call pipeline in plain C#, but references {string.Join(", ", forbidden)}");
    }

    [Fact]
    public void GamePay_ReferencesNeitherAspNetCoreNorLiteDb()
    {
        var forbidden = References.Value["GamePay"].Where(n => IsUnder(n, "Microsoft.AspNetCore") || IsUnder(n, "LiteDB")).ToList();

        Assert.True(forbidden.Count == 0, $"GamePay/ holds the 2.0 call without HTTP, but references {string.Join(", ", forbidden)}");
        Assert.Contains("MidasEmulator.Midas", References.Value["GamePay"]);
    }

    [Fact]
    public void Pushes_ReferencesNeitherAspNetCoreNorLiteDb()
    {
        var forbidden = References.Value["Pushes"].Where(n => IsUnder(n, "Microsoft.AspNetCore") || IsUnder(n, "LiteDB")).ToList();

        Assert.True(forbidden.Count == 0, $"Pushes/ holds the push rules and the sender without ASP.NET or storage, but references {string.Join(", ", forbidden)}");
        Assert.Contains("MidasEmulator.Signing", References.Value["Pushes"]);
    }

    [Fact]
    public void Seeding_DoesNotReferenceEndpoints()
    {
        Assert.DoesNotContain("MidasEmulator.Endpoints", References.Value["Seeding"]);
    }

    [Fact]
    public void Folders_NoTwoReferenceEachOther()
    {
        var folders = References.Value.Keys.ToList();
        var pairs = (from a in folders
                     from b in folders
                     where string.CompareOrdinal(a, b) < 0
                           && References.Value[a].Contains("MidasEmulator." + b)
                           && References.Value[b].Contains("MidasEmulator." + a)
                     select $"{a}/ and {b}/").ToList();

        Assert.True(pairs.Count == 0, $"these folders reference each other: {string.Join("; ", pairs)}");
    }

    [Fact]
    public void References_AreReadFromSignaturesAndBodies()
    {
        // The rules above must not pass because the reader found nothing: these references are known to exist.
        Assert.Contains("LiteDB", References.Value["Storage"]);
        Assert.Contains("MidasEmulator.Midas", References.Value["Endpoints"]);
        // Only from a method body: MidasPipeline calls the static SignatureCheck.
        Assert.Contains("MidasEmulator.Signing", References.Value["Midas"]);
        Assert.Contains("Microsoft.AspNetCore.Http", References.Value["Endpoints"]);
    }

    private static bool IsUnder(string name, string prefix) =>
        name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal);

    /// <summary>Folder of Emulator/ (the namespace below MidasEmulator) → the namespaces its code names.</summary>
    private static Dictionary<string, HashSet<string>> ReadReferences()
    {
        using var module = ModuleDefinition.ReadModule(typeof(EmulatorOptions).Assembly.Location);
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in module.GetTypes())
        {
            if (FolderOf(type) is not { } folder)
            {
                continue; // the composition root (Program, HostingExtensions, EmulatorOptions) may name every folder
            }
            if (!result.TryGetValue(folder, out var names))
            {
                result[folder] = names = new HashSet<string>(StringComparer.Ordinal);
            }
            CollectFrom(type, module, names);
            names.Remove("MidasEmulator." + folder);
        }
        return result;
    }

    // Nested and compiler-generated types (closures, state machines) belong to the folder of their outermost type.
    private static string? FolderOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        const string root = "MidasEmulator.";
        return type.Namespace.StartsWith(root, StringComparison.Ordinal) ? type.Namespace[root.Length..].Split('.')[0] : null;
    }

    private static void CollectFrom(TypeDefinition type, ModuleDefinition module, HashSet<string> names)
    {
        void Add(TypeReference? reference) => AddType(reference, module, names);

        Add(type.BaseType);
        type.Interfaces.ToList().ForEach(i => Add(i.InterfaceType));
        AddAttributes(type, module, names);
        foreach (var field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field, module, names);
        }
        foreach (var property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property, module, names);
        }
        foreach (var method in type.Methods)
        {
            Add(method.ReturnType);
            AddAttributes(method, module, names);
            foreach (var parameter in method.Parameters)
            {
                Add(parameter.ParameterType);
                AddAttributes(parameter, module, names);
            }
            if (!method.HasBody)
            {
                continue;
            }
            method.Body.Variables.ToList().ForEach(v => Add(v.VariableType));
            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference operandType:
                        Add(operandType);
                        break;
                    case MethodReference called:
                        Add(called.DeclaringType);
                        Add(called.ReturnType);
                        called.Parameters.ToList().ForEach(p => Add(p.ParameterType));
                        if (called is GenericInstanceMethod generic)
                        {
                            generic.GenericArguments.ToList().ForEach(Add);
                        }
                        break;
                    case FieldReference field:
                        Add(field.DeclaringType);
                        Add(field.FieldType);
                        break;
                }
            }
        }
    }

    private static void AddAttributes(ICustomAttributeProvider provider, ModuleDefinition module, HashSet<string> names)
    {
        foreach (var attribute in provider.CustomAttributes)
        {
            AddType(attribute.AttributeType, module, names);
        }
    }

    private static void AddType(TypeReference? reference, ModuleDefinition module, HashSet<string> names)
    {
        switch (reference)
        {
            case null or GenericParameter:
                return;
            case GenericInstanceType generic:
                AddType(generic.ElementType, module, names);
                generic.GenericArguments.ToList().ForEach(a => AddType(a, module, names));
                return;
            case TypeSpecification specification: // arrays, by-ref, pointers, modifiers
                AddType(specification.ElementType, module, names);
                return;
        }
        var outer = reference;
        while (outer.DeclaringType is not null)
        {
            outer = outer.DeclaringType;
        }
        if (!string.IsNullOrEmpty(outer.Namespace))
        {
            names.Add(outer.Namespace);
        }
    }
}
