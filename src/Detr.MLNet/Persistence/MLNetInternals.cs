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
    public static IHostEnvironment GetEnvironment(object catalog) => (IHostEnvironment)CatalogEnvironment(catalog.GetType()).GetValue(catalog)!;

    static PropertyInfo CatalogEnvironment(Type catalogType)
    {
        var face = catalogType.GetInterfaces().FirstOrDefault(i => i.Name == "IInternalCatalog")
            ?? throw Moved($"{catalogType.Name} implements no IInternalCatalog");
        return face.GetProperty("Environment") ?? throw Moved("IInternalCatalog.Environment");
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
            var attribute = Activator.CreateInstance(LoadableClassAttribute, Instance, null,
                [instanceType, instanceType, null, SignatureLoadModel, instanceType.Name, new[] { loaderSignature }], null)!;
            var info = Activator.CreateInstance(LoadableClassInfo, Instance, null, [attribute, null, null, create, true], null)!;
            AddClass.Invoke(catalog, [info, new[] { loaderSignature }, false]);
        }
    }

    /// <summary>The schema shape of a schema (ML.NET keeps <c>SchemaShape.Create</c> internal).</summary>
    public static SchemaShape ToSchemaShape(DataViewSchema schema) => (SchemaShape)SchemaShapeCreate.Invoke(null, [schema])!;

    /// <summary>
    /// Stamps the model header of the entry being saved: signature, the format <paramref name="version"/> written, the
    /// oldest format the loader reads back (ML.NET's <c>verWeCanReadBack</c>), and the loader.
    /// </summary>
    public static void BeginSave(ModelSaveContext context, string modelSignature, uint version, uint oldestReadable, string loaderSignature, Type loaderType)
    {
        Invoke(context, "CheckAtModel");
        var versionInfo = Activator.CreateInstance(VersionInfo, Instance, null,
            [modelSignature, version, version, oldestReadable, loaderType.Assembly.FullName, loaderSignature, null], null)!;
        Invoke(context, "SetVersionInfo", versionInfo);
    }

    /// <summary>
    /// Looks up every internal member the methods here use, without calling any, and throws naming the first that is
    /// missing. A test calls it, so an ML.NET upgrade that moves one fails there first and clearly.
    /// </summary>
    internal static void ResolveAll()
    {
        CatalogEnvironment(typeof(TransformsCatalog));
        Constructor(LoadableClassAttribute, 6);
        _ = SignatureLoadModel;
        Constructor(LoadableClassInfo, 5);
        _ = AddClass;
        _ = SchemaShapeCreate;
        Constructor(VersionInfo, 7);
        Method(typeof(ModelSaveContext), "CheckAtModel", 0);
        Method(typeof(ModelSaveContext), "SetVersionInfo", 1);
        Method(typeof(ModelSaveContext), "SaveBinaryStream", 2);
        Member(typeof(ModelSaveContext), "Writer");
        Member(ModelLoadContext, "Reader");
        Method(ModelLoadContext, "TryLoadBinaryStream", 2);
    }

    static Type SignatureLoadModel => Core.GetTypes().FirstOrDefault(t => t.Name == "SignatureLoadModel") ?? throw Moved("SignatureLoadModel");

    static Type LoadableClassAttribute => Core.GetType("Microsoft.ML.LoadableClassAttribute") ?? throw Moved("LoadableClassAttribute");

    static Type LoadableClassInfo => typeof(ComponentCatalog).GetNestedType("LoadableClassInfo", BindingFlags.NonPublic | BindingFlags.Public)
        ?? throw Moved("ComponentCatalog.LoadableClassInfo");

    static MethodInfo AddClass => typeof(ComponentCatalog).GetMethod("AddClass", Instance) ?? throw Moved("ComponentCatalog.AddClass");

    static MethodInfo SchemaShapeCreate => typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic,
        [typeof(DataViewSchema)]) ?? throw Moved("SchemaShape.Create");

    static Type VersionInfo => Core.GetType("Microsoft.ML.VersionInfo") ?? throw Moved("VersionInfo");

    static Type ModelLoadContext => Core.GetType("Microsoft.ML.ModelLoadContext") ?? throw Moved("ModelLoadContext");

    static void Constructor(Type type, int arguments)
    {
        if (!type.GetConstructors(Instance).Any(c => c.GetParameters().Length == arguments))
            throw Moved($"{type.Name}'s constructor of {arguments} arguments");
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
        try
        {
            return Method(target.GetType(), method, args.Length).Invoke(target, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    static MethodInfo Method(Type type, string name, int arguments) =>
        type.GetMethods(Instance).FirstOrDefault(m => m.Name == name && m.GetParameters().Length == arguments) ?? throw Moved($"{type.Name}.{name}");

    static object Field(object target, string name) => Member(target.GetType(), name) switch
    {
        FieldInfo field => field.GetValue(target)!,
        PropertyInfo property => property.GetValue(target)!,
        _ => throw Moved($"{target.GetType().Name}.{name}"),
    };

    static MemberInfo Member(Type type, string name) =>
        (MemberInfo?)type.GetField(name, Instance) ?? type.GetProperty(name, Instance) ?? throw Moved($"{type.Name}.{name}");

    static NotSupportedException Moved(string member) => new(
        $"This ML.NET version does not have the internal member {member} that Detr.MLNet uses to save and load models; " +
        "use the ML.NET version Detr.MLNet was built against.");
}
