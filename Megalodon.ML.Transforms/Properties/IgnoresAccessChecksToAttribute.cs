namespace System.Runtime.CompilerServices;

/// <summary>
/// Tells the runtime to skip access checks from this assembly into the named one. The runtime recognises the
/// attribute by name; no framework assembly defines it, so each assembly that uses it declares its own.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    /// <summary>Grants access to the internals of <paramref name="assemblyName"/>.</summary>
    /// <param name="assemblyName">The simple name of the assembly, e.g. <c>Microsoft.ML.Core</c>.</param>
    public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

    /// <summary>The simple name of the assembly whose internals may be accessed.</summary>
    public string AssemblyName { get; }
}
