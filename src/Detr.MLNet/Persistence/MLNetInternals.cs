using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Detr.MLNet.Persistence;

/// <summary>
/// The one place that reaches into ML.NET internals. ML.NET lets only its own assemblies take part in
/// <c>mlContext.Model.Save</c>/<c>Load</c> (the save/load context members, <c>LoadableClass</c> and the catalog's
/// environment are internal), and its public escape hatch, <c>CustomMapping</c>, cannot carry state such as ONNX bytes.
/// Everything here is checked against the pinned ML.NET version by the save/load tests; if ML.NET changes shape,
/// the failure names the member that moved.
/// </summary>
static class MLNetInternals
{
    const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    static readonly Assembly Core = typeof(ModelSaveContext).Assembly;
    static readonly ConditionalWeakTable<ComponentCatalog, HashSet<string>> Registered = new();

    /// <summary>The environment behind an ML.NET catalog (<c>mlContext.Transforms</c> and friends).</summary>
    public static IHostEnvironment GetEnvironment(object catalog)
    {
        var face = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "IInternalCatalog")
            ?? throw Moved($"{catalog.GetType().Name} implements no IInternalCatalog");
        var property = face.GetProperty("Environment") ?? throw Moved("IInternalCatalog.Environment");
        return (IHostEnvironment)property.GetValue(catalog)!;
    }

    /// <summary>
    /// Adds a model loader to a context's component catalog so <c>mlContext.Model.Load</c> can rebuild the type.
    /// <paramref name="create"/> must be static, take (IHostEnvironment, object) and return <paramref name="instanceType"/>.
    /// </summary>
    public static void RegisterModelLoader(ComponentCatalog catalog, Type instanceType, string loaderSignature, MethodInfo create)
    {
        var names = Registered.GetOrCreateValue(catalog);
        lock (names)
        {
            if (!names.Add(loaderSignature))
                return;
            var signatureType = Core.GetTypes().FirstOrDefault(t => t.Name == "SignatureLoadModel")
                ?? throw Moved("SignatureLoadModel");
            var attributeType = Core.GetType("Microsoft.ML.LoadableClassAttribute") ?? throw Moved("LoadableClassAttribute");
            var attribute = Activator.CreateInstance(attributeType, Instance, null,
                [instanceType, instanceType, null, signatureType, instanceType.Name, new[] { loaderSignature }], null)!;
            var infoType = typeof(ComponentCatalog).GetNestedType("LoadableClassInfo", BindingFlags.NonPublic | BindingFlags.Public)
                ?? throw Moved("ComponentCatalog.LoadableClassInfo");
            var info = Activator.CreateInstance(infoType, Instance, null, [attribute, null, null, create, true], null)!;
            var addClass = typeof(ComponentCatalog).GetMethod("AddClass", Instance) ?? throw Moved("ComponentCatalog.AddClass");
            addClass.Invoke(catalog, [info, new[] { loaderSignature }, false]);
        }
    }

    /// <summary>The schema shape of a schema (ML.NET keeps <c>SchemaShape.Create</c> internal).</summary>
    public static SchemaShape ToSchemaShape(DataViewSchema schema)
    {
        var create = typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic,
            [typeof(DataViewSchema)]) ?? throw Moved("SchemaShape.Create");
        return (SchemaShape)create.Invoke(null, [schema])!;
    }

    /// <summary>Stamps the model header (signature, version, loader) of the entry being saved.</summary>
    public static void BeginSave(ModelSaveContext context, string modelSignature, uint version, string loaderSignature, Type loaderType)
    {
        Invoke(context, "CheckAtModel");
        var versionType = Core.GetType("Microsoft.ML.VersionInfo") ?? throw Moved("VersionInfo");
        var versionInfo = Activator.CreateInstance(versionType, Instance, null,
            [modelSignature, version, version, version, loaderType.Assembly.FullName, loaderSignature, null], null)!;
        Invoke(context, "SetVersionInfo", versionInfo);
    }

    /// <summary>The writer of the entry's main stream.</summary>
    public static BinaryWriter Writer(ModelSaveContext context) => (BinaryWriter)Field(context, "Writer");

    /// <summary>Writes a named side stream next to the entry (how ML.NET stores ONNX bytes).</summary>
    public static void SaveBinaryStream(ModelSaveContext context, string name, Action<BinaryWriter> write) =>
        Invoke(context, "SaveBinaryStream", name, write);

    /// <summary>The reader of the entry's main stream, from ML.NET's (internal) load context.</summary>
    public static BinaryReader Reader(object loadContext) => (BinaryReader)Field(loadContext, "Reader");

    /// <summary>Reads a named side stream written by <see cref="SaveBinaryStream"/>.</summary>
    public static bool TryLoadBinaryStream(object loadContext, string name, Action<BinaryReader> read) =>
        (bool)Invoke(loadContext, "TryLoadBinaryStream", name, read)!;

    static object? Invoke(object target, string method, params object?[] args)
    {
        var candidates = target.GetType().GetMethods(Instance).Where(m => m.Name == method && m.GetParameters().Length == args.Length);
        var info = candidates.FirstOrDefault() ?? throw Moved($"{target.GetType().Name}.{method}");
        try
        {
            return info.Invoke(target, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    static object Field(object target, string name) =>
        target.GetType().GetField(name, Instance)?.GetValue(target)
        ?? target.GetType().GetProperty(name, Instance)?.GetValue(target)
        ?? throw Moved($"{target.GetType().Name}.{name}");

    static NotSupportedException Moved(string member) => new(
        $"This ML.NET version does not have the internal member {member} that Detr.MLNet uses to save and load models; " +
        "use the ML.NET version Detr.MLNet was built against.");
}
