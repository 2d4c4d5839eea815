@testable import Dialects
@testable import IMSModel
import Testing

/// Foreman's scoped-search language, parsed and resolved for images and the catalogue.
@Suite struct ForemanSearchTests {
    @Test func aPlainAndOfConditionsStaysAConjunction() throws {
        let c = try ForemanSearch.imageMatch(#"name ~ "cent os" and username = root AND user_data = false"#)
        #expect(c.conjunction == [ImageCondition(.name, .contains, ["cent os"]), .eq(.username, "root"), .eq(.userData, false)])
        // A comma is AND too: Ansible's collection searches `name="x",operatingsystem="1"`.
        let ansible = try ForemanSearch.imageMatch(#"name="centos-9",operatingsystem="2""#)
        #expect(ansible.conjunction == [.eq(.name, "centos-9"), .eq(.operatingsystemId, 2)])
    }

    @Test func operatingSystemAndArchitectureMatchByIdAndTheirNamesByName() throws {
        #expect(try ForemanSearch.imageMatch("architecture = 1").conjunction == [.eq(.architectureId, 1)])
        #expect(try ForemanSearch.imageMatch("operatingsystem_name = \"CentOS 9\"").conjunction == [.eq(.operatingsystemName, "CentOS 9")])
        #expect(try ForemanSearch.imageMatch("compute_resource = libvirt").conjunction == [.eq(.computeResourceName, "libvirt")])
        #expect(throws: CanonicalError.self) { try ForemanSearch.imageMatch("architecture = x86_64") }
    }

    @Test func orNotParenthesesAndLists() throws {
        let tree = try ForemanSearch.imageMatch("name = a or (name = b | !username = root) and not id ^ (1, 2)")
        #expect(tree == .any([
            .condition(.eq(.name, "a")),
            .all([.any([.condition(.eq(.name, "b")), .not(.condition(.eq(.username, "root")))]),
                  .not(.condition(ImageCondition(.id, .in, [1, 2])))]),
        ]))
        #expect(try ForemanSearch.imageMatch("id !^ (3)") == .condition(ImageCondition(.id, .notIn, [3])))
        #expect(try ForemanSearch.imageMatch("id > 3 and id <= 9").conjunction == [ImageCondition(.id, .gt, [3]), ImageCondition(.id, .le, [9])])
    }

    @Test func nullAndSetAndFreeText() throws {
        #expect(try ForemanSearch.imageMatch("null? operatingsystem") == .condition(.eq(.operatingsystemId, .null)))
        #expect(try ForemanSearch.imageMatch("set? operatingsystem") == .not(.condition(.eq(.operatingsystemId, .null))))
        // A bare word searches Foreman's free-text fields.
        #expect(try ForemanSearch.imageMatch("centos") == .any([
            .condition(ImageCondition(.name, .contains, ["centos"])), .condition(ImageCondition(.username, .contains, ["centos"])),
            .condition(ImageCondition(.computeResourceName, .contains, ["centos"])),
        ]))
    }

    @Test func catalogueFieldsPerKind() throws {
        let os = try ForemanSearch.catalogMatch(#"name="Debian",major="12""#, kind: .operatingsystem)
        #expect(os.conjunction == [CatalogCondition(.name, .eq, ["Debian"]), CatalogCondition(.major, .eq, ["12"])])
        #expect(throws: CanonicalError.self) { try ForemanSearch.catalogMatch("major = 12", kind: .architecture) }
    }

    @Test func rejectsWhatScopedSearchRejects() {
        for bad in ["colour = red", "name =", "id = abc", "(name = a", "name = a)", "name ~ \"open", "id ^ 1", "name > 3"] {
            #expect(throws: CanonicalError.self, "\(bad)") { try ForemanSearch.imageMatch(bad) }
        }
    }
}
