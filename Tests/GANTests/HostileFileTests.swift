import Foundation
import GANCore
import GANZoo
import Testing

/// Weights files and checkpoints made outside this project, as an attacker or an unlucky user
/// would (issue 11, classes 1, 3, 4, 6 and 10). Every variant is built at run time from a tiny
/// checkpoint by Tests/hostile/make_hostile.py and must be refused by the real binary with one
/// `Error:` line naming the file, exit status 1, no signal, no hang, within the memory limit,
/// without a byte of the outside file in any output and without writing any output file.
@Suite("Hostile weights files", .serialized)
struct HostileFileTests {
    /// Every command that reads a weights file, with the outputs it would write.
    static func readers(_ path: String, in folder: String) -> [(arguments: [String], outputs: [String])] {
        [(["inspect", path], []),
         (["sample", "--weights", path, "--out", folder + "/samples.png", "--count", "4"], [folder + "/samples.png"]),
         (["train", "--resume", path, "--epochs", "5", "--out", folder + "/resumed.h5"], [folder + "/resumed.h5"])]
    }

    static func expectAllRefuse(_ path: String, in folder: String, saying reason: String,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (arguments, outputs) in readers(path, in: folder) {
            let run = try Hostile.gan(arguments, timeout: 60)
            Hostile.expectRefused(run, naming: path, saying: reason, sourceLocation: sourceLocation)
            for output in outputs {
                #expect(!FileManager.default.fileExists(atPath: output), "\(arguments[0]) wrote \(output)", sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: Class 1: a file must never make us read another file

    @Test func externalStorageExternalLinksSoftLinksAndVirtualDatasetsAreRefused() throws {
        let folder = try Hostile.workspace()
        let seed = folder + "/seed.h5", other = folder + "/other.h5"
        try FileManager.default.copyItem(atPath: seed, toPath: other)
        let cases = [("external-storage", folder + "/secret.txt", "external file"),
                     ("external-link", other, "external link"),
                     ("external-group-link", other, "external link"),
                     ("soft-link", "", "soft link"),
                     ("virtual", other, "virtual dataset")]
        for (kind, argument, reason) in cases {
            let path = try Hostile.make(kind, argument, from: seed, to: folder + "/\(kind).h5")
            try Self.expectAllRefuse(path, in: folder, saying: reason)
        }
    }

    @Test func externalStorageOnAFIFODoesNotHang() throws {
        let folder = try Hostile.workspace()
        let fifo = folder + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        let path = try Hostile.make("external-storage", fifo, from: folder + "/seed.h5", to: folder + "/fifo-storage.h5")
        Hostile.expectRefused(try Hostile.gan(["inspect", path], timeout: 20), naming: path, saying: "external file")
        // The FIFO itself as a weights file, a recipe or an IDX file: refused, never opened for a blocking read.
        Hostile.expectRefused(try Hostile.gan(["inspect", fifo], timeout: 20), naming: fifo, saying: "not a regular file")
        Hostile.expectRefused(try Hostile.gan(["train", "--recipe", fifo, "--print-recipe"], timeout: 20), naming: fifo)
        Hostile.expectRefused(try Hostile.gan(["plot", "--csv", fifo, "--out", folder + "/plot.png"], timeout: 20), naming: fifo,
                              saying: "not a regular file")
        let data = folder + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for name in ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(atPath: Support.packageRoot + "/data/mnist-subset/" + name, toPath: data + "/" + name)
        }
        #expect(mkfifo(data + "/train-images-idx3-ubyte", 0o644) == 0)
        Hostile.expectRefused(try Hostile.gan(["train", "--data", data, "--out", folder + "/w.h5"], timeout: 20),
                              naming: data + "/train-images-idx3-ubyte", saying: "not a regular file")
    }

    // MARK: Classes 3 and 4: sizes checked before allocating, bombs refused

    @Test func allocationAndDecompressionBombsAreRefusedWithinTheMemoryLimit() throws {
        let folder = try Hostile.workspace()
        let seed = folder + "/seed.h5"
        let cases = [("huge-shape", "", "does not match the expected"),
                     // 1 GiB of zeros in a 1 MB chunk: refused by its stored size, before inflating.
                     ("deflate-bomb", "1073741824", "compressed chunk"),
                     // 40 MB in a chunk small enough to pass: refused while inflating, at 50 KB.
                     ("deflate-bomb", "40000000:/generator/dense_2/kernel", "inflates to more than"),
                     ("many-chunks", "", "one chunk"),
                     ("scaleoffset-filter", "", "filter")]
        for (index, (kind, argument, reason)) in cases.enumerated() {
            let path = try Hostile.make(kind, argument, from: seed, to: folder + "/\(kind)-\(index).h5")
            try Self.expectAllRefuse(path, in: folder, saying: reason)
        }
        // A contiguous, unfiltered dataset is still a valid GAN Zoo dataset (h5py writes them).
        let contiguous = try Hostile.make("contiguous", from: seed, to: folder + "/contiguous.h5")
        #expect(try Hostile.gan(["inspect", contiguous]).status == 0)
    }

    @Test func gzipIDXBombIsRefusedAtTheSizeItsHeaderPromises() throws {
        let folder = try Hostile.workspace()
        let data = folder + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for name in ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(atPath: Support.packageRoot + "/data/mnist-subset/" + name, toPath: data + "/" + name)
        }
        let images = data + "/train-images-idx3-ubyte.gz"
        try Hostile.make("gzip-idx-bomb", "400,28,28", from: "-", to: images)  // 1 MB that inflates to 1 GiB
        Hostile.expectRefused(try Hostile.gan(["train", "--data", data, "--out", folder + "/w.h5"]), naming: images,
                              saying: "its header promises")
        // Under the old 1 GiB cap but over 2^28 bytes: refused from the header (a file at 1 GiB
        // used to peak at 8.4 GB). One MiB of payload: the header alone decides.
        try Hostile.make("gzip-idx-bomb", "400000,28,28:1", from: "-", to: images)
        Hostile.expectRefused(try Hostile.gan(["train", "--data", data, "--out", folder + "/w.h5"]), naming: images,
                              saying: "268435456 bytes")
        try Hostile.make("gzip-idx-bomb", "65536,65536,65536", from: "-", to: images)
        Hostile.expectRefused(try Hostile.gan(["train", "--data", data, "--out", folder + "/w.h5"]), naming: images,
                              saying: "too large")
        #expect(!FileManager.default.fileExists(atPath: folder + "/w.h5"))
    }

    @Test func sizesAndCountersFromAFileAreCheckedBeforeUse() throws {
        let folder = try Hostile.workspace()
        let seed = folder + "/seed.h5"
        let manyOnes = "[" + Array(repeating: "1", count: 300).joined(separator: ",") + "]"
        let cases: [(String, String, String)] = [
            ("set-json-field", "problem:latentSize:1000000000", "latentSize"),
            ("set-json-field", "problem:sampleShape:\(manyOnes)", "sampleShape"),
            ("set-json-field", "problem:noise.scale:-1e30", "noise scale"),
            ("set-json-field", "training:epochs:1000000000000", "epochs"),
            ("set-json-field", "training:generatorOptimizer.epsilon:-1", "epsilon"),
            ("set-json-field", "training:discriminatorOptimizer.beta1:1", "beta1"),
            ("set-raw-json", "generator_config:{\"generatorHiddenSizes\":[1000000000]}", "generatorHiddenSizes"),
            // A side without its own configuration: the shared one is named as the culprit.
            ("set-json-field", "training:architectureConfiguration.generatorHiddenSizes:\"24\"",
             "attribute 'training': architectureConfiguration: invalid configuration"),
            ("set-raw-json", "training:{\"epochs\":3,\"epochs\":5}", "appears twice"),
            ("set-raw-json", "training:{\"epochs\":1e400}", "epochs: the number 1e400 is out of range"),
            ("set-attribute", "/:epoch:-1000000", "training position"),
            ("set-attribute", "/:step:9223372036854775807", "training position"),
        ]
        for (index, (kind, argument, reason)) in cases.enumerated() {
            let path = try Hostile.make(kind, argument, from: seed, to: folder + "/sizes-\(index).h5")
            try Self.expectAllRefuse(path, in: folder, saying: reason)
        }
    }

    /// Checkpoint state that only resuming reads: NaN sums, NaN history, a data order that is
    /// not a permutation (class 10: it used to say "trained on 400 images, the data now has 400").
    @Test func damagedCheckpointStateIsRefusedOnResume() throws {
        let folder = try Hostile.workspace()
        let seed = folder + "/seed.h5"
        let zeros = "[" + Array(repeating: "0", count: 400).joined(separator: ",") + "]"
        let outOfRange = "[" + (0..<399).map(String.init).joined(separator: ",") + ",400]"
        let cases = [("/state/epoch_sums:[NaN,0,0,0,0,0,0,0]", "/state/epoch_sums"),
                     ("/state/epoch_sums:[0,0,0,0,-1,1e300,0.5,0]", "/state/epoch_sums"),
                     ("/state/history:[[NaN,0,0,0,0,0,0]]", "/state/history"),
                     ("/state/order:\(zeros)", "repeated"),
                     ("/state/order:\(outOfRange)", "out of range"),
                     ("/optimizer/generator/velocity/dense_0/bias:[" + Array(repeating: "NaN", count: 32).joined(separator: ",") + "]",
                      "NaN")]
        for (index, (argument, reason)) in cases.enumerated() {
            let path = try Hostile.make("set-dataset", argument, from: seed, to: folder + "/state-\(index).h5")
            let run = try Hostile.gan(["train", "--resume", path, "--epochs", "5", "--out", folder + "/resumed.h5"])
            Hostile.expectRefused(run, naming: path, saying: reason)
            #expect(!FileManager.default.fileExists(atPath: folder + "/resumed.h5"))
        }
        // An order declaring 2^27 values (1 GiB) is refused by its shape, before it is read.
        let order = try Hostile.make("huge-order", from: seed, to: folder + "/huge-order.h5")
        let run = try Hostile.gan(["train", "--resume", order, "--epochs", "5", "--out", folder + "/resumed.h5"])
        Hostile.expectRefused(run, naming: order, saying: "trained on 134217728 images")
        #expect(!FileManager.default.fileExists(atPath: folder + "/resumed.h5"))
    }

    /// Every layer within the per-layer limit, the network far beyond any real model: 64 layers
    /// of 8,192 (16 GiB) and 20 of 4,096 (1.3 GB) both crashed under a memory cap.
    @Test func networksOverTheTotalParameterLimitAreRefusedBeforeAllocating() throws {
        let folder = try Hostile.workspace()
        let seed = folder + "/seed.h5"
        for (index, (width, count)) in [(8192, 64), (4096, 20)].enumerated() {
            let sizes = "[" + Array(repeating: String(width), count: count).joined(separator: ",") + "]"
            let path = try Hostile.make("set-json-field", "generator_config:generatorHiddenSizes:\(sizes)", from: seed,
                                        to: folder + "/wide-\(index).h5")
            try Self.expectAllRefuse(path, in: folder, saying: "the limit per network")
        }
    }

    /// A convolutional model's channel counts and image shape from a file are checked against
    /// the limits (and the shapes the plugin can build) before any layer is allocated.
    @Test func convolutionalSizesFromAFileAreCheckedBeforeAllocating() throws {
        let folder = try Hostile.workspace()
        let (_, seed) = try Hostile.tinyDCGANFile(in: folder)
        let cases: [(String, String, String)] = [
            ("set-json-field", "generator_config:generatorChannels:[4096,4096]", "the limit per layer"),
            ("set-json-field", "discriminator_config:discriminatorChannels:[1000000,4]", "discriminatorChannels"),
            ("set-json-field", "generator_config:generatorChannels:[4]", "2 channel counts"),
            ("set-json-field", "discriminator_config:discriminatorChannels:[3,4,5,6]", "2 or 3 channel counts"),
            // The shared attribute alone edited: it was never read, so a reader was misled.
            ("set-json-field", "architecture_config:discriminatorChannels:[3,9]", "discriminatorChannels: attribute [3,9], file [3,4]"),
            ("set-json-field", "problem:sampleShape:[3,28,28]", "single-channel images"),
            ("set-json-field", "problem:sampleShape:[28,27]", "halve alike"),
        ]
        for (index, (kind, argument, reason)) in cases.enumerated() {
            let path = try Hostile.make(kind, argument, from: seed, to: folder + "/dcgan-\(index).h5")
            try Self.expectAllRefuse(path, in: folder, saying: reason)
        }
    }

    @Test func classifierFileSizesAreCheckedBeforeAllocating() throws {
        let folder = try Hostile.workspace()
        let shipped = Support.packageRoot + "/models/mnist-classifier/classifier.h5"
        for (index, argument) in ["/:height:1000000000", "/:hidden_size:-5", "/:classes:100000"].enumerated() {
            let path = try Hostile.make("set-attribute", argument, from: shipped, to: folder + "/classifier-\(index).h5")
            let run = try Hostile.gan(["evaluate", "--weights", folder + "/seed.h5", "--metric", "frechet", "--classifier", path,
                                       "--samples", "10", "--test-limit", "10"])
            Hostile.expectRefused(run, naming: path, saying: "outside")
        }
        // Every size within its own range, the network they make 16.6G parameters (66.6 GB).
        let big = try Hostile.make("set-attributes", "/:height=512,width=512,filters1=256,filters2=256,hidden_size=4096",
                                   from: shipped, to: folder + "/classifier-big.h5")
        let run = try Hostile.gan(["evaluate", "--weights", folder + "/seed.h5", "--metric", "frechet", "--classifier", big,
                                   "--samples", "10", "--test-limit", "10"])
        Hostile.expectRefused(run, naming: big, saying: "the limit per layer")
        // Small layers but buffers of 13M values per image (512 x 512 images): refused too.
        let wide = try Hostile.make("set-attributes", "/:height=512,width=512,filters1=1,filters2=1,hidden_size=1",
                                    from: shipped, to: folder + "/classifier-wide.h5")
        Hostile.expectRefused(try Hostile.gan(["evaluate", "--weights", folder + "/seed.h5", "--metric", "frechet", "--classifier", wide,
                                               "--samples", "10", "--test-limit", "10"]), naming: wide, saying: "buffer values per image")
    }

    // MARK: Class 6: attributes of other types than our writer's

    @Test func attributesOfUnexpectedTypesAndShapesAreRefused() throws {
        let folder = try Hostile.workspace()
        let seed = folder + "/seed.h5"
        let cases = ["/:format_version:string", "/:epoch:float", "/:problem:compound", "/:training:big-fixed-string",
                     "/:generator_config:vlen-int", "/generator:layer_names:int-array", "/generator:layer_names:2d-strings",
                     "/:step:empty", "/generator/dense_0:type:vlen-int"]
        for (index, argument) in cases.enumerated() {
            let path = try Hostile.make("attribute-type", argument, from: seed, to: folder + "/attribute-\(index).h5")
            let run = try Hostile.gan(["inspect", path])
            Hostile.expectRefused(run, naming: path)
        }
    }

    @Test func filesWeWriteHoldFixedLengthStringsAndOldVariableLengthOnesStillLoad() throws {
        let folder = try Hostile.workspace()
        let check = """
            import h5py, sys
            f = h5py.File(sys.argv[1], "r")
            print(f.attrs.get_id("format").dtype.kind, f["generator"].attrs.get_id("layer_names").dtype.kind)
            """
        let kinds = try Support.run("/usr/bin/env", ["python3", "-c", check, folder + "/seed.h5"])
        #expect(kinds.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "S S", "fixed-length (S), got \(kinds.output)")
        // A file of the earlier writer: every string attribute variable-length again.
        let rewrite = """
            import h5py, sys
            f = h5py.File(sys.argv[1], "r+")
            def convert(name, obj):
                for key, value in list(obj.attrs.items()):
                    if getattr(value, "dtype", None) is not None and value.dtype.kind == "S":
                        del obj.attrs[key]
                        obj.attrs[key] = [v.decode() for v in value] if value.shape else value.decode()
            for key, value in list(f.attrs.items()):
                if isinstance(value, bytes):
                    del f.attrs[key]
                    f.attrs[key] = value.decode()
            f.visititems(convert)
            """
        let old = folder + "/old.h5"
        try FileManager.default.copyItem(atPath: folder + "/seed.h5", toPath: old)
        let converted = try Support.run("/usr/bin/env", ["python3", "-c", rewrite, old])
        #expect(converted.status == 0, "\(converted.output)")
        let kindsOld = try Support.run("/usr/bin/env", ["python3", "-c", check, old])
        #expect(kindsOld.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "O O", "variable-length (O), got \(kindsOld.output)")
        let loaded = try ModelFile.load(old), reference = try ModelFile.load(folder + "/seed.h5")
        #expect(loaded.configuration == reference.configuration && loaded.position == reference.position)
        #expect(loaded.model.generator.layerNames == reference.model.generator.layerNames)
    }
}
