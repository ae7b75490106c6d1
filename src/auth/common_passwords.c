/* common_passwords.c — passwords that attackers try first, as data.
 *
 * Typed for zhifa from what is publicly known about the most common passwords in
 * leaked lists (including the Chinese ones: pinyin, 5201314-style numbers, the
 * 2011 CSDN leak) and keyboard walks on a QWERTY layout. Only entries of 8 bytes
 * or more are kept: shorter ones are already refused by any sane minimum length,
 * and zf_password_check_policy also strips digits and symbols added around a
 * password before looking it up, so "Password2026!" is caught by "password".
 * Invariants (checked by tests/unit/test_password.c): lowercase ASCII, at least
 * 8 bytes, sorted in strcmp order with no duplicates (the lookup is a
 * binary search). Do not add the demo password "demo-password-2026". */
#include "auth/password.h"

const char *const zf_common_passwords[] = {
    "!@#$%^&*", "!@#$%^&*()", "!qaz2wsx", "!qaz@wsx", "!qaz@wsx#edc", "00000000",
    "0123456789", "0987654321", "0okm9ijn", "110110110", "11111111a", "11112222",
    "11223344", "112233445566", "11235813", "12121212", "123123123", "123123123123",
    "123321123", "1234!@#$", "12341234", "12344321", "1234512345", "123456123",
    "123456123456", "123456654321", "12345678", "123456789", "1234567890", "12345678900",
    "12345678910", "123456789a", "123456789q", "12345678a", "1234567a", "123456aa",
    "123456abc", "123456qq", "1234abcd", "1234qwer", "1234qwerasdf", "123654789",
    "123abc123", "123qweasd", "123qweasdzxc", "12qwaszx", "13131313", "1314520520",
    "1314woaini", "147258369", "147258369a", "147852369", "159357456", "15935748",
    "159753456", "168168168", "19491001", "1a2b3c4d", "1q2w3e!q", "1q2w3e4r",
    "1q2w3e4r5t", "1q2w3e4r5t6y", "1qa2ws3ed", "1qaz2wsx", "1qaz2wsx!", "1qaz2wsx3edc",
    "1qaz@wsx", "1qazxsw2", "1qazzaq1", "20082008", "258963147", "2wsx3edc", "3.1415926",
    "31415926", "314159265", "36987412", "3edc4rfv", "4rfv5tgb", "518518518",
    "5201314520", "52013145201314", "5tgb6yhn", "66666666", "666666888", "74108520",
    "741852963", "789456123", "789456123a", "87654321", "88888888", "888888888",
    "963852741", "987654321", "9876543210", "99999999", "a11111111", "a1234567",
    "a12345678", "a123456789", "a1a1a1a1", "a1b2c3d4", "a1b2c3d4e5", "a1s2d3f4",
    "a5201314", "aa112233", "aa123456", "aa12345678", "aaa123456", "aaaa1111", "aaaaaa11",
    "aabbccdd", "abc12345", "abc123456", "abc123456789", "abc123abc", "abc@1234",
    "abc@123456", "abcabc123", "abcd1234", "abcd12345", "abcd@1234", "abcde12345",
    "abcdef123", "abcdefg1", "abcdefgh", "admin!@#", "admin123", "admin1234",
    "admin12345", "admin123456", "admin888", "admin8888", "admin@123", "admin@2024",
    "adminadmin", "administrator", "administrator1", "aini1314", "arsenal1", "asd123456",
    "asdasdasd", "asdf1234", "asdfasdf", "asdfghjk", "asdfghjkl", "asdfghjklqwertyuiop",
    "asdfzxcv", "asdqwe123", "asdzxc123", "autumn2025", "baseball", "baseball1",
    "basketball", "batman123", "beijing123", "beijing2008", "butterfly", "changeit",
    "changeme", "changeme1", "changeme123", "charlie1", "chelsea1", "china123",
    "china2008", "chinachina", "chinese1", "chocolate", "computer", "computer1",
    "contrasena", "cookie123", "dearbook", "december", "default1", "default123",
    "demo1234", "demo123456", "dragon123", "football", "football1", "football123",
    "freedom1", "ghjklasdf", "goodluck", "goodluck1", "guangzhou", "guest123", "happy123",
    "happyday", "hello123", "hello1234", "hello12345", "helloworld", "helloworld1",
    "helpdesk", "ilovechina", "iloveu123", "iloveyou", "iloveyou!", "iloveyou1",
    "iloveyou123", "iloveyou1314", "iloveyou2", "iloveyou520", "internet", "january1",
    "jennifer", "jklasdfgh", "jordan23", "letmein!", "letmein1", "letmein123", "liuyang1",
    "liverpool", "lkjhgfdsa", "lovelove", "loveme123", "loveyou1314", "manager1",
    "master123", "michael1", "michelle", "minecraft", "mnbvcxz1", "monkey12", "monkey123",
    "motdepasse", "mustang1", "mypassword", "mysql123", "naruto123", "newpassword",
    "nihao123", "nihao123456", "november", "oracle123", "p@55w0rd", "p@ssw0rd",
    "p@ssw0rd!", "p@ssw0rd123", "p@ssword", "pa55w0rd", "pa55word", "pass1234",
    "pass12345", "pass123456", "passpass", "passw0rd", "passw0rd123", "password",
    "password!", "password01", "password1", "password12", "password123", "password1234",
    "password2024", "password2025", "password2026", "password@123", "passwort",
    "poiuytrewq", "pokemon1", "postgres", "princess", "princess1", "princess123",
    "q1q1q1q1", "q1w2e3r4", "q1w2e3r4t5", "q1w2e3r4t5y6", "qazwsx123", "qazwsxedc",
    "qazwsxedcrfv", "qq123456", "qq12345678", "qq5201314", "qwaszx12", "qwaszxqw",
    "qwe!@#123", "qwe123456", "qwe123qwe", "qweasdzxc", "qweasdzxc123", "qweqweqwe",
    "qwer!@#$", "qwer1234", "qwerasdf", "qwerasdfzxcv", "qwerty12", "qwerty123",
    "qwerty1234", "qwerty12345", "qwertyui", "qwertyuiop", "qwertyuiop123",
    "qwertyuiopasdfghjkl", "rainbow1", "root1234", "root123456", "root@123", "rootroot",
    "secret123", "secretpassword", "september", "service1", "shadow123", "shanghai",
    "shanghai123", "shenzhen", "spring2025", "starlight", "starwars", "summer2024",
    "summer2025", "sunshine", "sunshine1", "sunshine123", "superman", "superuser",
    "support1", "sysadmin", "system123", "test1234", "test123456", "tester123",
    "testtest", "thunder1", "tiantian", "toor1234", "trustno1", "user1234", "user123456",
    "wangjing", "wangyang", "welcome1", "welcome12", "welcome123", "welcome2024",
    "welcome@123", "welcomehome", "whatever", "winter2024", "woaini123", "woaini12345",
    "woaini1314", "woaini1314520", "woaini520", "woaini521", "woshishui", "xiazhili",
    "z1x2c3v4", "zaq12wsx", "zaq1xsw2", "zaq1xsw2cde3", "zhangwei", "zhifa123",
    "zhifa1234", "zhifa2026", "zhifa@123", "zhifaadmin", "zhongguo", "zhongguo123",
    "zxc123456", "zxcasdqwe", "zxcv1234", "zxcvbnm,./", "zxcvbnm1", "zxcvbnm123",
    "zxcvbnma", "zxcvbnmasdfghjkl",
};

const size_t zf_common_passwords_count =
    sizeof zf_common_passwords / sizeof zf_common_passwords[0];
