import pytest

from chitieu import DatabaseError, open_database


def test_an_unreachable_server_is_one_clear_error():
    with pytest.raises(DatabaseError, match="không kết nối được.*127.0.0.1:1"):
        open_database("postgresql://nobody@127.0.0.1:1/none")


def test_a_malformed_url_is_one_clear_error():
    with pytest.raises(DatabaseError, match="không hợp lệ"):
        open_database("postgresql+psycopg://:::")
