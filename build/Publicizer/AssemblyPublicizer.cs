using Mono.Cecil;

namespace Megalodon.Build.Publicizer;

/// <summary>
/// Rewrites an assembly so that a compiler referencing it sees its internal surface: internal types and members
/// become public, <c>private protected</c> becomes <c>protected</c>. Private members stay private.
/// </summary>
/// <remarks>
/// The result is a compile-time reference only. At run time the real, signed assembly loads, and the consumer
/// needs <c>[assembly: IgnoresAccessChecksTo("...")]</c> for the JIT to allow the access.
/// </remarks>
internal static class AssemblyPublicizer
{
    /// <summary>How much was changed, for the build log.</summary>
    public readonly record struct Counts(int Types, int Members);

    /// <summary>Publicizes <paramref name="inputPath"/> into <paramref name="outputPath"/>, replacing it atomically.</summary>
    public static Counts Publicize(string inputPath, string outputPath, IEnumerable<string> searchDirectories)
    {
        using var resolver = new DefaultAssemblyResolver();
        foreach (string directory in searchDirectories)
            resolver.AddSearchDirectory(directory);

        // InMemory: the package's file is read once and never kept open or locked.
        var readerParameters = new ReaderParameters { AssemblyResolver = resolver, InMemory = true, ReadSymbols = false };
        using var assembly = AssemblyDefinition.ReadAssembly(inputPath, readerParameters);

        int types = 0, members = 0;
        foreach (var module in assembly.Modules)
        {
            // The public key stays (so the identity matches the real assembly); the signature cannot, so drop the flag.
            module.Attributes &= ~ModuleAttributes.StrongNameSigned;
            foreach (var type in module.Types)
                Visit(type, ref types, ref members);
        }

        // Write next to the target and move into place, so a killed build never leaves a half-written reference.
        string temporary = $"{outputPath}.{Environment.ProcessId}.tmp";
        try
        {
            assembly.Write(temporary);
            File.Move(temporary, outputPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
        return new Counts(types, members);
    }

    private static void Visit(TypeDefinition type, ref int types, ref int members)
    {
        // Compiler-generated helpers (<PrivateImplementationDetails>, embedded attributes, polyfills of System types)
        // exist in several assemblies under one name; public copies would collide with ours.
        if (IsCompilerOrPolyfill(type))
            return;

        if (OpenType(type))
            types++;
        foreach (var method in type.Methods)
        {
            if (OpenMethod(method))
                members++;
        }
        foreach (var field in type.Fields)
        {
            if (OpenField(field))
                members++;
        }
        foreach (var nested in type.NestedTypes)
            Visit(nested, ref types, ref members);
    }

    private static bool IsCompilerOrPolyfill(TypeDefinition type)
    {
        if (type.Name.StartsWith('<'))
            return true;
        if (type.CustomAttributes.Any(a => a.AttributeType.FullName is "System.Runtime.CompilerServices.CompilerGeneratedAttribute"
                                                               or "Microsoft.CodeAnalysis.EmbeddedAttribute"))
            return true;
        string ns = TopLevel(type).Namespace;
        return ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal);
    }

    private static TypeDefinition TopLevel(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
            type = type.DeclaringType;
        return type;
    }

    private static bool OpenType(TypeDefinition type)
    {
        var visibility = type.Attributes & TypeAttributes.VisibilityMask;
        TypeAttributes opened = visibility switch
        {
            TypeAttributes.NotPublic => TypeAttributes.Public,
            TypeAttributes.NestedAssembly or TypeAttributes.NestedFamORAssem => TypeAttributes.NestedPublic,
            TypeAttributes.NestedFamANDAssem => TypeAttributes.NestedFamily,
            _ => visibility,
        };
        if (opened == visibility)
            return false;
        type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | opened;
        return true;
    }

    private static bool OpenMethod(MethodDefinition method)
    {
        var access = method.Attributes & MethodAttributes.MemberAccessMask;
        MethodAttributes opened = access switch
        {
            MethodAttributes.Assembly or MethodAttributes.FamORAssem => MethodAttributes.Public,
            MethodAttributes.FamANDAssem => MethodAttributes.Family,
            _ => access,
        };
        if (opened == access)
            return false;
        method.Attributes = (method.Attributes & ~MethodAttributes.MemberAccessMask) | opened;
        return true;
    }

    private static bool OpenField(FieldDefinition field)
    {
        var access = field.Attributes & FieldAttributes.FieldAccessMask;
        FieldAttributes opened = access switch
        {
            FieldAttributes.Assembly or FieldAttributes.FamORAssem => FieldAttributes.Public,
            FieldAttributes.FamANDAssem => FieldAttributes.Family,
            _ => access,
        };
        if (opened == access)
            return false;
        field.Attributes = (field.Attributes & ~FieldAttributes.FieldAccessMask) | opened;
        return true;
    }
}
