module workbook/stage3-epoll

go 1.26.0
